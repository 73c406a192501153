// jsdom has no TextEncoder/TextDecoder; React Router needs them at load (components with <Link>).
const { TextEncoder, TextDecoder } = require('node:util');
globalThis.TextEncoder ??= TextEncoder;
globalThis.TextDecoder ??= TextDecoder;
