import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditService, type AuditPage, type AuditVerification } from '../../../libs/audit';
import { CORE_ERRORS, type TenantContext } from '../../../libs/core';
import { ApiErrors } from '../openapi/api-errors';
import { PageQuery } from '../auth/auth.dto';
import { Tenant } from '../auth/request-context';
import { Roles } from '../auth/roles.decorator';
import { AuditPageDto, AuditVerificationDto, VerifyQuery } from './audit.dto';

/** The tenant's audit trail: read and verified by admins and auditors, written by no one here. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('tenants/:tenantId/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'List audit events', description: 'Admins and auditors. Paged by `cursor`.' })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, CORE_ERRORS.INVALID_CURSOR)
  list(@Tenant() ctx: TenantContext, @Query() query: PageQuery): Promise<AuditPage> {
    return this.audit.list(ctx, { limit: query.limit ?? 50, ...(query.cursor ? { cursor: query.cursor } : {}) });
  }

  @Get('verify')
  @Roles('admin', 'auditor')
  @ApiOperation({
    summary: 'Verify the audit chain',
    description:
      "Admins and auditors. Recomputes the tenant's hash chain; `expectedHead` also checks it ends at a head hash kept elsewhere.",
  })
  @ApiOkResponse({ type: AuditVerificationDto })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED)
  verify(@Tenant() ctx: TenantContext, @Query() query: VerifyQuery): Promise<AuditVerification> {
    return this.audit.verify(ctx, query.expectedHead?.toLowerCase());
  }
}
