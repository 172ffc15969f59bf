import { fileURLToPath } from 'node:url';

/** Absolute path of the echo service's .proto, for @grpc/proto-loader. */
export const ECHO_PROTO_PATH = fileURLToPath(new URL('../proto/echo.proto', import.meta.url));
export const ECHO_SERVICE = 'flyprobe.echo.v1.Echo';
