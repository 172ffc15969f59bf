import { ECHO_PROTO_PATH, ECHO_SERVICE } from '@flyprobe/shared';
import { credentials, loadPackageDefinition, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';

/** proto-loader options shared by the client and the echo service: camelCase fields, numbers for uint64. */
export const PROTO_OPTIONS = { keepCase: false, longs: Number, defaults: true, oneofs: true } as const;

let definition: PackageDefinition | undefined;

/** The echo.proto package definition (loaded once). */
export function echoPackageDefinition(): PackageDefinition {
  definition ??= loadSync(ECHO_PROTO_PATH, PROTO_OPTIONS);
  return definition;
}

/** The generated client constructor for flyprobe.echo.v1.Echo. */
export function echoClientConstructor(): ServiceClientConstructor {
  const pkg = loadPackageDefinition(echoPackageDefinition());
  let node: unknown = pkg;
  for (const part of ECHO_SERVICE.split('.')) node = (node as Record<string, unknown>)[part];
  return node as ServiceClientConstructor;
}

export { credentials };
