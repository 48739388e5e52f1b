import type { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { REQUIRED_PERMISSION } from '../../src/access/permission.decorator';
import { IS_PUBLIC } from '../../src/access/public.decorator';

export interface RouteInfo {
  method: string;
  path: string;
  /** `public`, the permission(s), or null when the route declares nothing. */
  policy: string | null;
  controller: string;
  handler: string;
}

const join = (...parts: string[]) => '/' + parts.flatMap((p) => p.split('/')).filter(Boolean).join('/');

/** Every route of every controller registered in the running application, with its declared policy. */
export function listRoutes(app: INestApplication, prefix = 'api/v1', unprefixed: string[] = ['health']): RouteInfo[] {
  const routes: RouteInfo[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: unknown[]) => unknown) | null;
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
        const permission = (Reflect.getMetadata(REQUIRED_PERMISSION, handler) ?? Reflect.getMetadata(REQUIRED_PERMISSION, controller)) as string[] | undefined;
        const full = unprefixed.some((u) => base.startsWith(u)) ? join(base, String(path)) : join(prefix, base, String(path));
        routes.push({
          method: RequestMethod[method],
          path: full,
          policy: isPublic ? 'public' : permission?.length ? permission.join(' | ') : null,
          controller: controller.name,
          handler: name,
        });
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}
