export { addEchoService, echoServiceDefinition, echoServiceImplementation } from './grpc-service.ts';
export { createH1H2cServer, type DualServer } from './h1-h2c.ts';
export { echoApp } from './http-app.ts';
export { type EchoIdentity, echoIdentityFromEnv } from './identity.ts';
export { echoReply, REQUEST_ID_HEADER } from './reply.ts';
export { type EchoServerOptions, type RunningEcho, startEchoServer } from './server.ts';
export { createTcpEchoServer, type TcpEchoServer } from './tcp-echo.ts';
