import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantToApp } from './grants';

/** Provider catalogs: global data, loaded by the seeder as the owner, read-only to the app. */
export class Catalog1764000000000 implements MigrationInterface {
  name = 'Catalog1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE catalog (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key text NOT NULL CONSTRAINT catalog_key_format CHECK (key ~ '^[a-z0-9][a-z0-9-]{1,63}$'),
        name text NOT NULL,
        provider text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT catalog_key_unique UNIQUE (key)
      )`);
    await q.query(`
      CREATE TABLE catalog_version (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        catalog_id uuid NOT NULL REFERENCES catalog (id) ON DELETE CASCADE,
        version text NOT NULL,
        published_on date NOT NULL,
        source_title text NOT NULL,
        source_url text,
        content_hash char(64) NOT NULL,
        parties text[] NOT NULL CONSTRAINT catalog_version_has_customer CHECK ('customer' = ANY (parties)),
        loaded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT catalog_version_unique UNIQUE (catalog_id, version)
      )`);
    await q.query(`
      CREATE TABLE catalog_section (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        version_id uuid NOT NULL REFERENCES catalog_version (id) ON DELETE CASCADE,
        key text NOT NULL,
        title text NOT NULL,
        phase text NOT NULL CONSTRAINT catalog_section_phase CHECK (phase IN ('before_subscription', 'setup', 'operations', 'reversibility', 'end_of_service')),
        position int NOT NULL,
        CONSTRAINT catalog_section_unique UNIQUE (version_id, key)
      )`);
    await q.query(`
      CREATE TABLE activity (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        version_id uuid NOT NULL REFERENCES catalog_version (id) ON DELETE CASCADE,
        section_id uuid NOT NULL REFERENCES catalog_section (id) ON DELETE CASCADE,
        key text NOT NULL,
        position int NOT NULL,
        title text NOT NULL,
        phase text NOT NULL CONSTRAINT activity_phase CHECK (phase IN ('before_subscription', 'setup', 'operations', 'reversibility', 'end_of_service')),
        raci jsonb NOT NULL CONSTRAINT activity_raci_object CHECK (jsonb_typeof(raci) = 'object' AND raci ? 'customer'),
        raw text NOT NULL,
        certain boolean NOT NULL,
        source text NOT NULL CONSTRAINT activity_source CHECK (source IN ('table', 'reading')),
        note text,
        cadence text CONSTRAINT activity_cadence CHECK (cadence ~ '^(once|on_event|P1M|P3M|P6M|P1Y|once\\+(P1M|P3M|P6M|P1Y))$'),
        optional boolean NOT NULL DEFAULT false,
        customer_duty boolean GENERATED ALWAYS AS ((raci->>'customer') ~ '[RA]') STORED,
        CONSTRAINT activity_unique UNIQUE (version_id, key),
        CONSTRAINT activity_duty_has_cadence CHECK (NOT customer_duty OR cadence IS NOT NULL)
      )`);
    await q.query('CREATE INDEX activity_section_idx ON activity (section_id)');
    await q.query('CREATE INDEX activity_version_position_idx ON activity (version_id, position)');
    await grantToApp(q, 'SELECT', 'catalog, catalog_version, catalog_section, activity');
    // /health/ready compares applied migrations with the code's list.
    await grantToApp(q, 'SELECT', 'schema_migration');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE activity');
    await q.query('DROP TABLE catalog_section');
    await q.query('DROP TABLE catalog_version');
    await q.query('DROP TABLE catalog');
  }
}
