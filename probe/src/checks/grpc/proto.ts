import { ECHO_PROTO_PATH } from '@flyprobe/shared';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';

/**
 * proto-loader options of the echo service (grpc-js) and the tests' grpc-js client: camelCase fields, numbers
 * for uint64. The checks themselves encode their messages by hand (shared/src/echo-messages.ts).
 */
export const PROTO_OPTIONS = { keepCase: false, longs: Number, defaults: true, oneofs: true } as const;

let definition: PackageDefinition | undefined;

/** The echo.proto package definition (loaded once). */
export function echoPackageDefinition(): PackageDefinition {
  definition ??= loadSync(ECHO_PROTO_PATH, PROTO_OPTIONS);
  return definition;
}
