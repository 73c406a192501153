import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { OnModuleDestroy } from '@nestjs/common';
import {
  createTransport,
  type SendMailOptions,
  type SMTPPoolOptions,
  type SMTPPoolSentMessageInfo,
  type StreamSentMessageInfo,
  type StreamTransportOptions,
  type Transporter,
} from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { AppConfig, Logger } from '../core';
import { MailDeliveryError } from './mail.errors';
import { mailName } from './mail-text';
import type { OutgoingMail, SentMail } from './mail.types';

export type MailerConfig = Pick<AppConfig, 'smtpUrl' | 'mailFrom' | 'dataDir'>;

type Delivery =
  | { readonly kind: 'smtp'; readonly transport: Transporter<SMTPPoolSentMessageInfo, SMTPPoolOptions>; readonly target: string }
  | { readonly kind: 'file'; readonly transport: Transporter<StreamSentMessageInfo, StreamTransportOptions>; readonly outbox: string };

/** Hardening: our mails never attach files or URLs, so nodemailer must not read any. */
const NO_EXTERNAL_CONTENT = { disableFileAccess: true, disableUrlAccess: true } as const;

/**
 * Sends mail through SMTP when SMTP_URL is set, otherwise writes each message as an .eml file
 * under DATA_DIR/outbox (the single-machine default).
 */
export class Mailer implements OnModuleDestroy {
  private readonly delivery: Delivery;
  private closed = false;

  constructor(
    private readonly config: MailerConfig,
    private readonly logger: Logger,
  ) {
    this.delivery = config.smtpUrl
      ? {
          kind: 'smtp',
          target: describeSmtpUrl(config.smtpUrl),
          transport: createTransport({
            ...NO_EXTERNAL_CONTENT,
            pool: true,
            // As many SMTP connections as the worker has database connections (DATABASE_POOL_SIZE's
            // default), not nodemailer's 5: each reminder holds a transaction while its mail is
            // handed over, so 5 capped the worker at 5 mails in flight (bench:reminders: 113 -> 142
            // mails/s, docs/benchmarks.md). Query parameters of the URL win over these, so operators
            // can still tune them (`?maxConnections=…` for a server that allows fewer).
            maxConnections: 10,
            url: config.smtpUrl,
            connectionTimeout: 10_000,
            greetingTimeout: 10_000,
            // Each stage bounded so that a send fits in the mail job's 45 s expiry (apps/worker/queues.ts).
            socketTimeout: 20_000,
          }),
        }
      : {
          kind: 'file',
          outbox: path.join(config.dataDir, 'outbox'),
          // CRLF like the SMTP wire: nodemailer keeps body line breaks as given, SMTP converts them.
          transport: createTransport({ ...NO_EXTERNAL_CONTENT, streamTransport: true, buffer: true, newline: 'windows' }),
        };
  }

  /** Where mail goes, without credentials, for a startup log line. */
  describe(): string {
    return this.delivery.kind === 'smtp' ? `SMTP ${this.delivery.target}` : `files under ${this.delivery.outbox}`;
  }

  /** Hands the message over; throws MailDeliveryError when that did not happen. */
  async send(mail: OutgoingMail): Promise<SentMail> {
    const message: SendMailOptions = {
      from: this.config.mailFrom,
      to: mail.to,
      // One line, whatever a name in it held (nodemailer would fold, not drop, a line break).
      subject: mailName(mail.subject),
      text: mail.text,
      html: mail.html,
      headers: mail.headers,
    };
    try {
      const delivery = this.delivery;
      const sent =
        delivery.kind === 'smtp'
          ? await this.sendSmtp(delivery.transport, message)
          : await writeEml(delivery.transport, delivery.outbox, message);
      this.logger.debug({ messageId: sent.messageId, transport: sent.transport }, 'mail sent');
      return sent;
    } catch (err: unknown) {
      const failure = toDeliveryError(err);
      this.logger.warn(
        { err, transport: this.delivery.kind, smtpCode: failure.smtpCode, permanent: failure.permanent },
        'mail delivery failed',
      );
      throw failure;
    }
  }

  /** Closes pooled SMTP connections; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.delivery.transport.close();
  }

  onModuleDestroy(): void {
    this.close();
  }

  private async sendSmtp(transport: Transporter<SMTPPoolSentMessageInfo, SMTPPoolOptions>, message: SendMailOptions): Promise<SentMail> {
    // The message is built into one buffer first and handed over as `raw`: streamed, nodemailer
    // writes it to the socket in a dozen small chunks, one system call each, and socket writes
    // were a third of the worker's time in bench:reminders (docs/benchmarks.md). Same bytes,
    // same envelope, same Message-ID.
    const node = new MailComposer({ ...NO_EXTERNAL_CONTENT, ...message }).compile();
    const raw = await node.build();
    const info = await transport.sendMail({ envelope: node.getEnvelope(), messageId: node.messageId(), raw });
    if (info.rejected.length > 0) {
      // Part of a multi-address `to` was refused; throwing would make a retry resend to the rest.
      this.logger.warn({ messageId: info.messageId, rejected: info.rejected.length }, 'mail accepted for some recipients only');
    }
    return { messageId: info.messageId, transport: 'smtp' };
  }
}

/** Writes exactly the bytes SMTP would get, via a temp name so a reader never sees half a file. */
async function writeEml(
  transport: Transporter<StreamSentMessageInfo, StreamTransportOptions>,
  outbox: string,
  message: SendMailOptions,
): Promise<SentMail> {
  const info = await transport.sendMail(message);
  if (!Buffer.isBuffer(info.message)) throw new Error('nodemailer stream transport returned a stream despite buffer: true');
  await fs.mkdir(outbox, { recursive: true, mode: 0o700 });
  const name = `${new Date().toISOString().replaceAll(':', '-')}-${randomBytes(6).toString('hex')}.eml`;
  const finalPath = path.join(outbox, name);
  // Same folder so the rename is atomic; the leading dot and suffix keep readers of *.eml away.
  const tempPath = path.join(outbox, `.${name}.tmp`);
  try {
    const handle = await fs.open(tempPath, 'wx', 0o600);
    try {
      await handle.writeFile(info.message);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tempPath, finalPath);
  } catch (err: unknown) {
    await fs.rm(tempPath, { force: true });
    throw err;
  }
  return { messageId: info.messageId, transport: 'file', path: finalPath };
}

/** `smtp://host:port` with the port nodemailer will actually use and no credentials or query. */
export function describeSmtpUrl(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  const port = url.port || (url.protocol === 'smtps:' ? '465' : '587');
  return `${url.protocol}//${url.hostname}:${port}`;
}

function toDeliveryError(err: unknown): MailDeliveryError {
  if (err instanceof MailDeliveryError) return err;
  if (typeof err !== 'object' || err === null) return new MailDeliveryError({ cause: err });
  const smtpCode = 'responseCode' in err && typeof err.responseCode === 'number' ? err.responseCode : undefined;
  // A refused login (535) is our configuration, not this message: it can go once that is fixed.
  const authFailed = 'code' in err && err.code === 'EAUTH';
  return new MailDeliveryError({ smtpCode, cause: err, ...(authFailed ? { permanent: false } : {}) });
}
