/** The route listing lives in the application (it also documents error answers); tests use the same one. */
export { listRoutes, type RouteInfo } from '../../src/openapi/routes';
