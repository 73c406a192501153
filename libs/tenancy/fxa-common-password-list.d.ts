declare module 'fxa-common-password-list' {
  /** True when the password is in Mozilla's list of common (leaked) passwords. */
  export function test(password: string): boolean;
}
