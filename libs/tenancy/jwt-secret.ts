import path from 'node:path';
import type { AppConfig } from '../core';
import { readOrCreateSecret } from '../db';

/** JWT_SECRET, or (single-machine default) a secret generated once under DATA_DIR, mode 600. */
export function jwtSecret(config: AppConfig): string {
  return config.jwtSecret ?? readOrCreateSecret(path.join(config.dataDir, 'jwt.secret'));
}
