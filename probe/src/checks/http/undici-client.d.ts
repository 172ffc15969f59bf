// undici's Client module on its own (CommonJS, `module.exports = Client`); see run.ts for why.
declare module 'undici/lib/dispatcher/client.js' {
  import type { Client } from 'undici';

  const ClientClass: typeof Client;
  export default ClientClass;
}
