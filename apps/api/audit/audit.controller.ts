import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuditService, type AuditPage, type AuditVerification } from '../../../libs/audit';
import type { TenantContext } from '../../../libs/core';
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
  @ApiOkResponse({ type: AuditPageDto })
  list(@Tenant() ctx: TenantContext, @Query() query: PageQuery): Promise<AuditPage> {
    return this.audit.list(ctx, { limit: query.limit ?? 50, ...(query.cursor ? { cursor: query.cursor } : {}) });
  }

  @Get('verify')
  @Roles('admin', 'auditor')
  @ApiOkResponse({ type: AuditVerificationDto })
  verify(@Tenant() ctx: TenantContext, @Query() query: VerifyQuery): Promise<AuditVerification> {
    return this.audit.verify(ctx, query.expectedHead?.toLowerCase());
  }
}
