import { mailName, mailText } from './mail-text';

export interface MailAction {
  label: string;
  /** Absolute http(s) URL; anything else is refused. */
  url: string;
}

export interface MailContent {
  title: string;
  /** Plain text each; a newline inside a paragraph becomes a line break. */
  paragraphs: string[];
  action?: MailAction;
  footer?: string;
}

export interface RenderedMail {
  html: string;
  text: string;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe for element content and quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** `javascript:` and friends in an href would run in webmail clients; only http(s) gets through. */
function checkedUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`Mail action URL is not an absolute URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`Mail action URL must be http(s), got ${JSON.stringify(parsed.protocol)}`);
  }
  return parsed.href;
}

const FONT = "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

function htmlParagraph(text: string, style: string): string {
  return `<p style="${style}">${escapeHtml(text).replace(/\r?\n/g, '<br>')}</p>`;
}

/**
 * A small HTML mail (table layout and inline styles, which is what mail clients render reliably;
 * no external assets) plus the plain-text alternative with the link spelled out.
 */
export function renderMail(raw: MailContent): RenderedMail {
  // Whatever a caller interpolated, no control character reaches either part (mail-text.ts);
  // names must still go through mailName() first, or a line break in one becomes a line break here.
  const content: MailContent = {
    title: mailName(raw.title),
    paragraphs: raw.paragraphs.map(mailText),
    ...(raw.action ? { action: { label: mailName(raw.action.label), url: raw.action.url } } : {}),
    ...(raw.footer === undefined ? {} : { footer: mailText(raw.footer) }),
  };
  const url = content.action ? checkedUrl(content.action.url) : undefined;

  const body: string[] = [`<h1 style="margin:0 0 20px;font-size:20px;line-height:1.3;color:#111827;">${escapeHtml(content.title)}</h1>`];
  for (const paragraph of content.paragraphs) body.push(htmlParagraph(paragraph, 'margin:0 0 16px;'));
  if (content.action && url) {
    const href = escapeHtml(url);
    body.push(
      '<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:24px 0;"><tr>' +
        `<td style="border-radius:6px;background:#1d4ed8;"><a href="${href}" style="display:inline-block;padding:12px 22px;${FONT};font-size:15px;font-weight:600;color:#ffffff;text-decoration:none;border-radius:6px;">${escapeHtml(content.action.label)}</a></td>` +
        '</tr></table>',
      `<p style="margin:0 0 16px;font-size:13px;color:#6b7280;">If the button does not work, open this link:<br><a href="${href}" style="color:#1d4ed8;word-break:break-all;">${href}</a></p>`,
    );
  }
  const footer =
    content.footer === undefined
      ? ''
      : `<tr><td style="padding:16px 32px 0;${FONT};">${htmlParagraph(content.footer, 'margin:0;font-size:12px;line-height:1.5;color:#6b7280;')}</td></tr>`;

  const html = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(content.title)}</title></head>`,
    '<body style="margin:0;padding:0;background:#f3f4f6;">',
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f3f4f6;"><tr><td align="center" style="padding:24px 12px;">',
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px;">',
    `<tr><td style="background:#ffffff;border-radius:8px;padding:32px;${FONT};font-size:15px;line-height:1.6;color:#1f2937;">`,
    ...body,
    '</td></tr>',
    footer,
    '</table>',
    '</td></tr></table>',
    '</body>',
    '</html>',
  ]
    .filter((line) => line !== '')
    .join('\n');

  const text: string[] = [content.title, '='.repeat(Math.min(content.title.length, 72)), '', ...content.paragraphs.flatMap((p) => [p, ''])];
  if (content.action && url) text.push(`${content.action.label}: ${url}`, '');
  if (content.footer !== undefined) text.push('-- ', content.footer, '');

  return { html: html + '\n', text: text.join('\n') };
}
