import { RequestMethod, type INestApplication, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';

import { ACCEPTS_DOOR_LINK } from '../access/door-link';
import { REQUIRED_PERMISSION } from '../access/permission.decorator';
import type { Permission } from '../access/permissions';
import { IS_PUBLIC } from '../access/public.decorator';
import { isPagePath } from '../pages/page-paths';

export interface RouteInfo {
  method: string;
  /** Express-style, with the prefix: `/api/v1/events/:id`. */
  path: string;
  /** `public`, the permission(s) (and `door link` where one is accepted instead), or null when the route declares nothing. */
  policy: string | null;
  /** Accepts a door link instead of a login (src/access/door-link.ts). */
  doorLink: boolean;
  isPublic: boolean;
  /** Any one of them lets the caller through the policy guard; empty when public or undeclared. */
  permissions: Permission[];
  controller: string;
  handler: string;
  /** The `@Body()` DTO, when the handler takes one (the global ValidationPipe checks it). */
  body: Type | null;
  /** The handler takes a `@Query()` DTO (validated). */
  query: boolean;
  /** A public page (HTML, outside the API prefix and its document: src/pages), not an API route. */
  page: boolean;
  /** Path parameters that go through a pipe (ParseUUIDPipe: a malformed value is a 400). */
  validatedParams: string[];
}

interface RouteArg {
  index: number;
  data?: unknown;
  pipes?: unknown[];
}

const join = (...parts: string[]) =>
  '/' +
  parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/');

/**
 * Every route of every controller registered in the running application, with
 * the metadata the policy guard and the validation pipe act on. Used to
 * document error answers (src/openapi/openapi.ts) and by the route-policy test.
 */
export function listRoutes(app: INestApplication, prefix = 'api/v1', unprefixed: string[] = ['health']): RouteInfo[] {
  const routes: RouteInfo[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      const base = (Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '';
      const proto = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (path === undefined || method === undefined) continue;
        const isPublic = (Reflect.getMetadata(IS_PUBLIC, handler) ?? Reflect.getMetadata(IS_PUBLIC, controller)) === true;
        const permissions = ((Reflect.getMetadata(REQUIRED_PERMISSION, handler) ?? Reflect.getMetadata(REQUIRED_PERMISSION, controller)) as Permission[] | undefined) ?? [];
        const doorLink = Reflect.getMetadata(ACCEPTS_DOOR_LINK, handler) === true;
        const page = isPagePath(join(base, String(path)));
        const full = page || unprefixed.some((u) => base.startsWith(u)) ? join(base, String(path)) : join(prefix, base, String(path));
        const args = Object.entries((Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) as Record<string, RouteArg> | undefined) ?? {});
        const ofType = (type: RouteParamtypes) => args.filter(([key]) => key.startsWith(`${type}:`)).map(([, arg]) => arg);
        const paramTypes = (Reflect.getMetadata('design:paramtypes', proto, name) as Type[] | undefined) ?? [];
        const bodyArg = ofType(RouteParamtypes.BODY)[0];
        routes.push({
          method: RequestMethod[method],
          path: full,
          policy: isPublic ? 'public' : permissions.length ? [...permissions, ...(doorLink ? ['door link'] : [])].join(' | ') : null,
          doorLink,
          isPublic,
          permissions: isPublic ? [] : permissions,
          page,
          controller: controller.name,
          handler: name,
          body: bodyArg ? (paramTypes[bodyArg.index] ?? null) : null,
          query: ofType(RouteParamtypes.QUERY).length > 0,
          validatedParams: ofType(RouteParamtypes.PARAM)
            .filter((arg) => typeof arg.data === 'string' && (arg.pipes?.length ?? 0) > 0)
            .map((arg) => arg.data as string),
        });
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}
