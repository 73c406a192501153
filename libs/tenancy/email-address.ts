import { EmailAddressUnsupportedError } from './tenancy.errors';

// RFC 5322 dot-atom local part (letters, digits and !#$%&'*+/=?^_`{|}~- between single dots) at
// a DNS host name of at least two labels. What it leaves out on purpose: quoted local parts
// ("a\r\nb"@example.org was stored as typed and mailed to another address), comments,
// IP-literal domains, non-ASCII local parts (they need SMTPUTF8, which many servers lack).
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TOP_LABEL = /^([A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

/** True for an address every mail server reads the same way (see above). */
export function isPlainEmail(email: string): boolean {
  if (email.length > 254) return false;
  const at = email.lastIndexOf('@');
  if (at < 1) return false;
  const local = email.slice(0, at);
  const labels = email.slice(at + 1).split('.');
  const top = labels[labels.length - 1];
  return (
    local.length <= 64 &&
    LOCAL.test(local) &&
    labels.length >= 2 &&
    top !== undefined &&
    TOP_LABEL.test(top) &&
    labels.every((label) => LABEL.test(label))
  );
}

/** The address as stored (trimmed, lower-cased); throws 400 EMAIL_ADDRESS_UNSUPPORTED for anything but a plain address. */
export function acceptedEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (!isPlainEmail(email)) throw new EmailAddressUnsupportedError();
  return email;
}
