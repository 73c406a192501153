import { mailName, mailText } from './mail-text';
import { renderMail } from './templates';

// Every character the mails must never carry from a user's input.
// Any C0/DEL/C1 control but the LF of a line break, and the bidi overrides and isolates.
const FORBIDDEN = /[^\P{Cc}\n]|[\u202A-\u202E\u2066-\u2069]/u;
const HOSTILE_NAME = 'Eve\r\nBcc: victim@example.org\u202Egpj.exe\u2066x\u2069\u0085\u0007\u009B\tEnd';

describe('mailName', () => {
  it('puts a name on one line without controls or bidi overrides', () => {
    expect(mailName(HOSTILE_NAME)).toBe('Eve Bcc: victim@example.orggpj.exex End');
    expect(mailName(HOSTILE_NAME)).not.toMatch(FORBIDDEN);
    expect(mailName(HOSTILE_NAME)).not.toMatch(/\n/);
    expect(mailName('Zoë O\u2019Brien — 東京')).toBe('Zoë O\u2019Brien — 東京');
  });
});

describe('mailText', () => {
  it('keeps line breaks as LF and drops every other control', () => {
    expect(mailText('one\r\ntwo\rthree\u202E\u0000')).toBe('one\ntwo\nthree');
  });
});

describe('renderMail', () => {
  it('no control character of a caller reaches the HTML or the text part', () => {
    const { html, text } = renderMail({
      title: `Join ${HOSTILE_NAME}`,
      paragraphs: [`Hello ${HOSTILE_NAME}`],
      action: { label: `Open ${HOSTILE_NAME}`, url: 'https://duty.example.test/x' },
      footer: `Footer ${HOSTILE_NAME}`,
    });
    expect(html).not.toMatch(FORBIDDEN);
    expect(text).not.toMatch(FORBIDDEN);
    // The title is one line in both parts.
    expect(text.split('\n')[0]).toBe(`Join ${mailName(HOSTILE_NAME)}`);
  });
});
