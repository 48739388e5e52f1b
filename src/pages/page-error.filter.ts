import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { mapError } from '../common/problem.filter';
import { chooseLocale, Translator } from './i18n';
import { FormRefused, type PageContext } from './page-context';
import { sendPage } from './page-response';
import { ErrorPage } from './views/error';

/**
 * A page's error is a page: the same status the API would answer (404 for
 * what the reader may not see, 429 with Retry-After), in the reader's
 * language, never a JSON body or a stack.
 */
@Catch()
export class PageErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest & { page?: PageContext }>();
    const mapped = mapError(exception, request, this.logger);
    const status = mapped.status;
    const page: PageContext = request.page ?? {
      caller: { user: null, requestId: String(request.id), ip: request.ip },
      user: null,
      t: new Translator(chooseLocale((request.query as Record<string, unknown> | undefined)?.lang, request.headers['accept-language']).locale),
      csrf: '',
      embed: false,
      url: request.url,
    };
    for (const [name, value] of Object.entries(mapped.headers ?? {})) void reply.header(name, value);
    const retryAfter = Number(mapped.headers?.['retry-after'] ?? 0);
    const html = sendPage(reply, ErrorPage({ page, status, seconds: retryAfter, refused: exception instanceof FormRefused }), { status, cache: 'private' });
    void reply.send(html);
  }
}
