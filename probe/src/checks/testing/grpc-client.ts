import { ECHO_SERVICE } from '@flyprobe/shared';
import { loadPackageDefinition, type ServiceClientConstructor } from '@grpc/grpc-js';
import { echoPackageDefinition } from '../grpc/proto.ts';

/** The grpc-js client constructor for flyprobe.echo.v1.Echo: tests talk to the echo server with the reference client. */
export function echoClientConstructor(): ServiceClientConstructor {
  const pkg = loadPackageDefinition(echoPackageDefinition());
  let node: unknown = pkg;
  for (const part of ECHO_SERVICE.split('.')) node = (node as Record<string, unknown>)[part];
  return node as ServiceClientConstructor;
}
