import { escapeHtml, renderMail } from './templates';

const HOSTILE = `<script>alert("pwned")</script> O'Brien & "Sons"`;

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`& < > " '`)).toBe('&amp; &lt; &gt; &quot; &#39;');
    expect(escapeHtml('plain text, déjà vu')).toBe('plain text, déjà vu');
  });

  it('does not double-decode: an escaped input stays visible as typed', () => {
    expect(escapeHtml('&lt;b&gt;')).toBe('&amp;lt;b&amp;gt;');
  });
});

describe('renderMail', () => {
  const url = 'https://dutybook.example.com/tenants/t1/tasks/42?from=mail&kind=overdue';

  it('never puts a dynamic string raw into the HTML', () => {
    const { html } = renderMail({
      title: `Duties for ${HOSTILE}`,
      paragraphs: [`Tenant ${HOSTILE} has 3 overdue duties.`],
      action: { label: `Open ${HOSTILE}`, url },
      footer: `Sent to ${HOSTILE}`,
    });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('alert("pwned")');
    expect(html).not.toContain("O'Brien");
    expect(html).not.toContain('"Sons"');
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; O&#39;Brien &amp; &quot;Sons&quot;');
    // Title, paragraph, button label, footer and <title>: every occurrence escaped.
    expect(html.split('&lt;script&gt;').length - 1).toBe(5);
    // The & in the query string is escaped inside the href too.
    expect(html).toContain('href="https://dutybook.example.com/tenants/t1/tasks/42?from=mail&amp;kind=overdue"');
  });

  it('produces a complete, self-contained document', () => {
    const { html } = renderMail({ title: 'Hello', paragraphs: ['One', 'Two'] });
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<title>Hello</title>');
    expect(html.trimEnd()).toMatch(/<\/html>$/);
    // No external assets: nothing to fetch, nothing to track.
    expect(html).not.toMatch(/<img|<link|<script|src=|url\(/i);
    expect(html).not.toContain('<a ');
  });

  it('turns newlines inside a paragraph into line breaks', () => {
    const { html, text } = renderMail({ title: 'T', paragraphs: ['first line\nsecond <line>'] });
    expect(html).toContain('first line<br>second &lt;line&gt;</p>');
    expect(text).toContain('first line\nsecond <line>');
  });

  it('writes a plain-text alternative with the link spelled out', () => {
    const { text } = renderMail({
      title: `Duties for ${HOSTILE}`,
      paragraphs: ['Paragraph one.', 'Paragraph two.'],
      action: { label: 'Open the task', url },
      footer: 'You get this mail because you are a member of Acme.',
    });
    expect(text).toContain(url);
    expect(text).toContain(`Open the task: ${url}`);
    // Plain text is not HTML: names read as typed.
    expect(text.startsWith(`Duties for ${HOSTILE}\n`)).toBe(true);
    expect(text).toContain('Paragraph one.\n\nParagraph two.\n');
    expect(text).toContain('-- \nYou get this mail because you are a member of Acme.');
    expect(text).not.toMatch(/<(p|a|br|h1|table|td)\b/);
  });

  it('accepts http and https action URLs', () => {
    expect(
      renderMail({ title: 'T', paragraphs: [], action: { label: 'Go', url: 'http://localhost:3000/invite?token=abc' } }).text,
    ).toContain('http://localhost:3000/invite?token=abc');
    expect(renderMail({ title: 'T', paragraphs: [], action: { label: 'Go', url: 'https://example.com/a' } }).html).toContain(
      'href="https://example.com/a"',
    );
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'mailto:someone@example.com',
    'ftp://example.com/file',
    '/relative/path',
    'not a url',
    '',
  ])('refuses the action URL %j', (bad) => {
    expect(() => renderMail({ title: 'T', paragraphs: ['p'], action: { label: 'Go', url: bad } })).toThrow(/Mail action URL/);
  });
});
