import { Module } from '@nestjs/common';
import { AuditEventRepository } from './audit-event.repository';
import { AuditService } from './audit.service';

/** Reading and verifying the trail. Appending is the AuditSink's job, given to EventsModule. */
@Module({ providers: [AuditEventRepository, AuditService], exports: [AuditService] })
export class AuditModule {}
