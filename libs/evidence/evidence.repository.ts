import { Injectable } from '@nestjs/common';
import { TenantDb } from '../db';
import { EvidenceEntity } from './evidence.entity';

/** The evidence aggregate's SQL. Works in the caller's unit of work. Insert and read only: evidence is immutable. */
@Injectable()
export class EvidenceRepository {
  constructor(private readonly db: TenantDb) {}

  async insert(e: Omit<EvidenceEntity, 'submittedAt'>): Promise<EvidenceEntity> {
    const result = await this.db.em.createQueryBuilder().insert().into(EvidenceEntity).values(e).returning(['submittedAt']).execute();
    const [row] = result.raw as { submitted_at: Date }[];
    if (!row) throw new Error('evidence: INSERT returned no row');
    return { ...e, submittedAt: row.submitted_at };
  }

  async find(tenantId: string, id: string): Promise<EvidenceEntity | null> {
    return this.db.em.getRepository(EvidenceEntity).findOne({ where: { tenantId, id } });
  }

  /** A task's evidence, oldest first. */
  async forTask(tenantId: string, taskId: string): Promise<EvidenceEntity[]> {
    return this.db.em.getRepository(EvidenceEntity).find({ where: { tenantId, taskId }, order: { submittedAt: 'ASC', id: 'ASC' } });
  }

  async exists(tenantId: string, id: string): Promise<boolean> {
    return this.db.em.getRepository(EvidenceEntity).exists({ where: { tenantId, id } });
  }

  /** A deleted tenant's rows, through the owner-run function (the app role may not DELETE evidence). */
  async purgeTenant(tenantId: string): Promise<number> {
    const [row] = await this.db.em.query<{ removed: number }[]>('SELECT evidence_purge_tenant($1) AS removed', [tenantId]);
    return row?.removed ?? 0;
  }
}
