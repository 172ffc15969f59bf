// Query parameters are parsed by the route binder (route.ts) from the contract's query schemas.
export { formatDuration } from '@flyprobe/shared';
