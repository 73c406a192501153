import { isUtf8Text, Utf8TextValidator } from './utf8';

describe('Utf8TextValidator', () => {
  const text = Buffer.from('ascii, é, €, 𝄞 and 日本語 — done\n', 'utf8');

  it('accepts UTF-8 text split at every possible place', () => {
    for (let cut = 0; cut <= text.length; cut++) {
      const v = new Utf8TextValidator();
      expect(v.push(text.subarray(0, cut)) && v.push(text.subarray(cut)) && v.end()).toBe(true);
    }
  });

  it('accepts it byte by byte', () => {
    const v = new Utf8TextValidator();
    for (const byte of text) expect(v.push(Buffer.from([byte]))).toBe(true);
    expect(v.end()).toBe(true);
  });

  it.each([
    ['a NUL byte', Buffer.from('abc\0def')],
    ['Latin-1', Buffer.from('caf\xe9', 'latin1')],
    ['an overlong encoding', Buffer.from([0x61, 0xc0, 0xaf])],
    ['a surrogate', Buffer.from([0xed, 0xa0, 0x80])],
    ['a code point past U+10FFFF', Buffer.from([0xf4, 0x90, 0x80, 0x80])],
    ['a lone continuation byte', Buffer.from([0x61, 0x80, 0x61])],
    ['UTF-16', Buffer.from('hi', 'utf16le')],
  ])('refuses %s', (_name, bytes) => {
    expect(isUtf8Text(bytes)).toBe(false);
    // Also when split in the middle.
    const v = new Utf8TextValidator();
    const half = Math.floor(bytes.length / 2);
    expect(v.push(bytes.subarray(0, half)) && v.push(bytes.subarray(half)) && v.end()).toBe(false);
  });

  it('refuses a stream that ends inside a character, unless more may come', () => {
    const cut = Buffer.from('€', 'utf8').subarray(0, 2);
    expect(isUtf8Text(cut)).toBe(false);
    expect(isUtf8Text(cut, true)).toBe(true);
  });

  it('stays invalid once invalid', () => {
    const v = new Utf8TextValidator();
    expect(v.push(Buffer.from([0xff]))).toBe(false);
    expect(v.push(Buffer.from('fine'))).toBe(false);
    expect(v.end()).toBe(false);
  });
});
