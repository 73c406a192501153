import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../core';
import { TasksModule } from '../tasks';
import { EvidencePurge } from './evidence-purge';
import { EvidenceRepository } from './evidence.repository';
import { EvidenceService } from './evidence.service';
import { EVIDENCE_STORAGE, type EvidenceStorage } from './storage/evidence-storage';
import { FsEvidenceStorage } from './storage/fs-storage';
import { S3EvidenceStorage } from './storage/s3-storage';

/** The storage EVIDENCE_STORAGE names: files under DATA_DIR/evidence (default) or an S3-compatible bucket. */
export function createEvidenceStorage(config: AppConfig): EvidenceStorage {
  const storage = config.evidence.storage;
  return storage.kind === 's3' ? new S3EvidenceStorage(storage) : new FsEvidenceStorage(storage.dir);
}

@Module({
  imports: [TasksModule],
  providers: [
    EvidenceRepository,
    EvidenceService,
    EvidencePurge,
    { provide: EVIDENCE_STORAGE, inject: [APP_CONFIG], useFactory: createEvidenceStorage },
  ],
  exports: [EvidenceService, EvidenceRepository, EvidencePurge, EVIDENCE_STORAGE],
})
export class EvidenceModule implements OnApplicationShutdown {
  constructor(@Inject(EVIDENCE_STORAGE) private readonly storage: EvidenceStorage) {}

  onApplicationShutdown(): void {
    if (this.storage instanceof S3EvidenceStorage) this.storage.destroy();
  }
}
