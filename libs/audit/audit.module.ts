import { Module } from '@nestjs/common';
import { AuditService } from './audit.service';

/** Reading and verifying the trail. Appending is the AuditSink's job, given to EventsModule. */
@Module({ providers: [AuditService], exports: [AuditService] })
export class AuditModule {}
