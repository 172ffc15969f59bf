export * from './admin.ts';
export * from './alerts.ts';
export { alertsRoutes } from './alerts-routes.ts';
export * as collectorApi from './collector-routes.ts';
export * from './errors.ts';
export * from './openapi.ts';
export * from './query.ts';
export * from './read.ts';
export {
  type BodySpec,
  defineRoute,
  type HttpMethod,
  type JsonStatus,
  type QueryShape,
  type QueryValues,
  type ResponseBody,
  type ResponseSpec,
  ROLES,
  type Role,
  type RouteAnswer,
  type RouteContract,
  type RouteRequestBody,
  roleAllows,
} from './route.ts';
export * from './timestamp.ts';
