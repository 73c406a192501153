import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Test } from '@nestjs/testing';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { ConfigModule, createLogger, loadConfig } from '../core';
import { startSmtpSink, type SmtpSink } from '../../test/harness/smtp-sink';
import { MailDeliveryError, Mailer, NotifyModule, type OutgoingMail } from './index';

const logger = createLogger('silent');

function mail(overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    to: 'alice@tenant.example',
    subject: 'Échéance dépassée : « Sauvegarde des boîtes »',
    text: 'Hello Alice,\n\nThe duty "Backup" is overdue.\nhttps://dutybook.example/t/1\n',
    html: '<p>Hello Alice,</p><p>The duty <b>Backup</b> is overdue.</p>',
    headers: {
      'List-Unsubscribe': '<https://dutybook.example/unsubscribe?token=abc>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'X-Dutybook-Kind': 'overdue',
    },
    ...overrides,
  };
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  return [value ?? []].flat().flatMap((a) => a.value.map((v) => v.address ?? ''));
}

/** mailparser folds List-* headers into one structure; the raw lines are what clients see. */
function headerLine(parsed: ParsedMail, key: string): string | undefined {
  return parsed.headerLines.find((h) => h.key === key)?.line;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function caught(promise: Promise<unknown>): Promise<MailDeliveryError> {
  try {
    await promise;
  } catch (err: unknown) {
    if (err instanceof MailDeliveryError) return err;
    throw err;
  }
  throw new Error('expected a MailDeliveryError, the send succeeded');
}

let dataDir: string;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-notify-'));
});
afterEach(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('Mailer over SMTP', () => {
  let sink: SmtpSink;
  let mailer: Mailer;

  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
  });
  beforeEach(() => {
    sink.reset();
    mailer = new Mailer(
      loadConfig({ DATA_DIR: dataDir, SMTP_URL: sink.url, LOG_LEVEL: 'silent', MAIL_FROM: 'Dutybook <no-reply@dutybook.example>' }),
      logger,
    );
  });
  afterEach(() => {
    mailer.close();
  });

  it('delivers the message once, exactly as composed, with its custom headers', async () => {
    const sent = await mailer.send(mail());

    expect(sent.transport).toBe('smtp');
    expect(sent.path).toBeUndefined();
    const [received] = await sink.waitFor(1);
    // Give a duplicate the chance to show up.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sink.messages).toHaveLength(1);
    const { parsed } = received!;
    expect(received!.envelopeFrom).toBe('no-reply@dutybook.example');
    expect(received!.envelopeTo).toEqual(['alice@tenant.example']);
    expect(parsed.subject).toBe('Échéance dépassée : « Sauvegarde des boîtes »');
    expect(parsed.from?.value).toEqual([{ address: 'no-reply@dutybook.example', name: 'Dutybook' }]);
    expect(addresses(parsed.to)).toEqual(['alice@tenant.example']);
    expect(parsed.text).toBe(mail().text);
    expect(parsed.html).toBe(mail().html);
    expect(parsed.messageId).toBe(sent.messageId);
    expect(headerLine(parsed, 'list-unsubscribe')).toBe('List-Unsubscribe: <https://dutybook.example/unsubscribe?token=abc>');
    expect(headerLine(parsed, 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(parsed.headers.get('x-dutybook-kind')).toBe('overdue');
    expect(received!.raw.toString('latin1')).not.toMatch(/[^\r]\n/);
    // SMTP mode never touches the outbox.
    expect(fs.existsSync(path.join(dataDir, 'outbox'))).toBe(false);
  });

  it('keeps a line break in a subject from turning into an extra header', async () => {
    await mailer.send(mail({ subject: 'Hi\r\nBcc: mallory@evil.example' }));
    const [received] = await sink.waitFor(1);
    expect(received!.envelopeTo).toEqual(['alice@tenant.example']);
    expect(received!.parsed.bcc).toBeUndefined();
    expect(received!.raw.toString('latin1')).not.toMatch(/^Bcc:/im);
  });

  it('describes the target without credentials', () => {
    expect(mailer.describe()).toBe(`SMTP smtp://127.0.0.1:${sink.port}`);
    const withSecrets = new Mailer(
      loadConfig({ DATA_DIR: dataDir, SMTP_URL: 'smtps://user:s3cret@mail.example.com', LOG_LEVEL: 'silent' }),
      logger,
    );
    expect(withSecrets.describe()).toBe('SMTP smtps://mail.example.com:465');
    withSecrets.close();
  });

  it('reports a recipient refused with 550 as a permanent failure', async () => {
    sink.rejectRecipient('gone@tenant.example', 550);

    const error = await caught(mailer.send(mail({ to: 'gone@tenant.example' })));

    expect(error.code).toBe('MAIL_DELIVERY_FAILED');
    expect(error.status).toBe(503);
    expect(error.message).toMatch(/did not accept the message.*try again later/i);
    expect(error.smtpCode).toBe(550);
    expect(error.permanent).toBe(true);
    expect(sink.messages).toHaveLength(0);
    // Only that address is refused.
    await mailer.send(mail());
    expect(sink.messages.map((m) => m.envelopeTo)).toEqual([['alice@tenant.example']]);
  });

  it('reports 451 as a temporary failure, and the retry goes through', async () => {
    sink.failNext(451);

    const error = await caught(mailer.send(mail()));

    expect(error.smtpCode).toBe(451);
    expect(error.permanent).toBe(false);
    expect(sink.messages).toHaveLength(0);
    await mailer.send(mail());
    expect(sink.messages).toHaveLength(1);
  });

  it('reports 451 after DATA as a temporary failure', async () => {
    sink.failNext(451, 1, 'data');

    const error = await caught(mailer.send(mail()));

    expect(error.smtpCode).toBe(451);
    expect(error.permanent).toBe(false);
    expect(sink.messages).toHaveLength(0);
  });

  it('reports 421 (server closing the channel) as temporary, and reconnects for the retry', async () => {
    sink.failNext(421);

    const error = await caught(mailer.send(mail()));

    expect(error.smtpCode).toBe(421);
    expect(error.permanent).toBe(false);
    await mailer.send(mail());
    expect(sink.messages).toHaveLength(1);
  });

  it('fails with MAIL_DELIVERY_FAILED when no server listens', async () => {
    const down = new Mailer(
      loadConfig({ DATA_DIR: dataDir, SMTP_URL: `smtp://127.0.0.1:${await closedPort()}`, LOG_LEVEL: 'silent' }),
      logger,
    );
    try {
      const error = await caught(down.send(mail()));
      expect(error).toBeInstanceOf(MailDeliveryError);
      expect(error.code).toBe('MAIL_DELIVERY_FAILED');
      expect(error.smtpCode).toBeUndefined();
      expect(error.permanent).toBe(false);
      // Node's socket errors come from another realm than jest's Error, so check the shape.
      expect(error.cause).toMatchObject({ code: 'ESOCKET', originalCode: 'ECONNREFUSED' });
    } finally {
      down.close();
    }
  });
});

describe('Mailer with SMTP authentication', () => {
  let sink: SmtpSink;

  beforeAll(async () => {
    sink = await startSmtpSink({ auth: { user: 'mailer@dutybook.example', pass: 'p@ss:w/rd' } });
  });
  afterAll(async () => {
    await sink.close();
  });

  it('logs in with the credentials of the URL', async () => {
    const mailer = new Mailer(loadConfig({ DATA_DIR: dataDir, SMTP_URL: sink.url, LOG_LEVEL: 'silent' }), logger);
    try {
      expect(sink.url).toContain('@127.0.0.1');
      expect(mailer.describe()).toBe(`SMTP smtp://127.0.0.1:${sink.port}`);
      await mailer.send(mail());
      expect(sink.messages).toHaveLength(1);
    } finally {
      mailer.close();
    }
  });

  it('treats a refused login as temporary: the message itself was not refused', async () => {
    const mailer = new Mailer(
      loadConfig({ DATA_DIR: dataDir, SMTP_URL: `smtp://mailer:wrong@127.0.0.1:${sink.port}`, LOG_LEVEL: 'silent' }),
      logger,
    );
    try {
      const error = await caught(mailer.send(mail()));
      expect(error.smtpCode).toBe(535);
      expect(error.permanent).toBe(false);
    } finally {
      mailer.close();
    }
  });
});

describe('Mailer without SMTP_URL (outbox files)', () => {
  let mailer: Mailer;
  let outbox: string;

  beforeEach(() => {
    mailer = new Mailer(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), logger);
    outbox = path.join(dataDir, 'outbox');
  });
  afterEach(() => {
    mailer.close();
  });

  it('writes one .eml per message with the bytes SMTP would get, and no temp file', async () => {
    const sent = await mailer.send(mail());

    expect(sent.transport).toBe('file');
    expect(fs.statSync(outbox).mode & 0o777).toBe(0o700);
    const files = fs.readdirSync(outbox);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z-[0-9a-f]+\.eml$/);
    expect(sent.path).toBe(path.join(outbox, files[0]!));

    const raw = fs.readFileSync(sent.path!);
    // SMTP DATA lines end in CRLF; a bare LF would mean the file differs from the wire.
    expect(raw.toString('latin1')).not.toMatch(/[^\r]\n/);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe(mail().subject);
    expect(parsed.text).toBe(mail().text);
    expect(parsed.html).toBe(mail().html);
    expect(parsed.messageId).toBe(sent.messageId);
    expect(parsed.from?.value).toEqual([{ address: 'no-reply@dutybook.localhost', name: 'Dutybook' }]);
    expect(addresses(parsed.to)).toEqual(['alice@tenant.example']);
    expect(headerLine(parsed, 'list-unsubscribe')).toBe('List-Unsubscribe: <https://dutybook.example/unsubscribe?token=abc>');
    expect(headerLine(parsed, 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(parsed.headers.get('x-dutybook-kind')).toBe('overdue');
    expect(fs.readdirSync(outbox).filter((f) => !f.endsWith('.eml'))).toEqual([]);
  });

  it('gives every message its own file', async () => {
    const first = await mailer.send(mail({ subject: 'one' }));
    const second = await mailer.send(mail({ subject: 'two' }));

    expect(first.path).not.toBe(second.path);
    expect(fs.readdirSync(outbox).sort()).toEqual([path.basename(first.path!), path.basename(second.path!)].sort());
  });

  it('describes the outbox folder', () => {
    expect(mailer.describe()).toBe(`files under ${outbox}`);
  });

  it('fails with MAIL_DELIVERY_FAILED when the outbox cannot be written', async () => {
    fs.writeFileSync(outbox, 'a file where the folder should be');

    const error = await caught(mailer.send(mail()));

    expect(error.code).toBe('MAIL_DELIVERY_FAILED');
    expect(error.smtpCode).toBeUndefined();
    expect(error.permanent).toBe(false);
  });
});

describe('NotifyModule', () => {
  it('provides a Mailer from APP_CONFIG and closes its pool when the app closes', async () => {
    const sink = await startSmtpSink();
    try {
      const config = loadConfig({ DATA_DIR: dataDir, SMTP_URL: sink.url, LOG_LEVEL: 'silent' });
      const moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config), NotifyModule.forRoot(logger)] }).compile();
      const app = await moduleRef.init();

      await app.get(Mailer).send(mail());
      expect(sink.messages).toHaveLength(1);
      expect(sink.openConnections).toBe(1);

      await app.close();
      const deadline = Date.now() + 2000;
      while (sink.openConnections > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(sink.openConnections).toBe(0);
    } finally {
      await sink.close();
    }
  });
});
