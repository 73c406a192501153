import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { assertStorageKey, assertTenantPrefix, type ByteRange, type EvidenceStorage } from './evidence-storage';

export interface S3StorageOptions {
  /** Unset: AWS S3 itself. */
  readonly endpoint: string | undefined;
  readonly bucket: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly forcePathStyle: boolean;
}

/** Part size of multipart uploads: memory per upload is about partSize x QUEUE_SIZE. */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 2;

function isNotFound(error: unknown): boolean {
  if (error instanceof S3ServiceException)
    return error.name === 'NotFound' || error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404;
  return typeof error === 'object' && error !== null && 'name' in error && (error.name === 'NotFound' || error.name === 'NoSuchKey');
}

/**
 * Evidence objects in an S3-compatible bucket (AWS S3, MinIO, OVHcloud, Scaleway, ...), key
 * `<tenantId>/<evidenceId>`. Uploads stream as multipart uploads of 8 MiB parts; an object exists
 * only once its upload completed, so a failed upload leaves none.
 */
export class S3EvidenceStorage implements EvidenceStorage {
  readonly kind = 's3';
  private readonly client: S3Client;

  constructor(private readonly options: S3StorageOptions) {
    this.client = new S3Client({
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      // Checksums only where S3 requires them: many S3-compatible stores refuse the newer
      // default (CRC trailers). Integrity is ours anyway: the sha256 is checked on every download.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  async write(key: string, body: Readable): Promise<void> {
    assertStorageKey(key);
    // A source failure surfaces through upload.done(), not as an unhandled event.
    body.on('error', () => undefined);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.options.bucket, Key: key, Body: body, ContentType: 'application/octet-stream' },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      body.destroy();
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable | null> {
    assertStorageKey(key);
    try {
      const result = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
      const stream = result.Body;
      if (!(stream instanceof Readable)) throw new Error('S3 GetObject gave no readable body');
      return stream;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async size(key: string): Promise<number | null> {
    assertStorageKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: key }));
      return head.ContentLength ?? null;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertStorageKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
  }

  /**
   * Lists the tenant's prefix and deletes object by object: DeleteObjects (batch) needs a
   * Content-MD5 or CRC header that several S3-compatible stores handle differently, and a tenant
   * is deleted once. Each page is listed again from the start, so a retry after a crash resumes.
   */
  async deleteTenant(tenantId: string): Promise<number> {
    assertTenantPrefix(tenantId);
    let removed = 0;
    for (;;) {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: `${tenantId}/`, MaxKeys: 1000 }));
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
      if (keys.length === 0) return removed;
      for (const key of keys) {
        await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
        removed++;
      }
    }
  }

  /** Closes the client's sockets. */
  destroy(): void {
    this.client.destroy();
  }
}
