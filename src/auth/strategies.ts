import { type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { ExtractJwt, Strategy as JwtStrategyBase } from 'passport-jwt';
import { Strategy as LocalStrategyBase } from 'passport-local';
import type { AuthUser } from '../access/caller';
import { unauthorized } from '../common/problem';
import { flattenValidationErrors, validationProblem } from '../common/validation';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { User } from '../users/user.entity';
import { AuthService } from './auth.service';
import { LoginDto } from './dto/auth.dto';
import { JWT_AUDIENCE, JWT_ISSUER } from './tokens.service';

/**
 * Bearer access tokens. Only HS256 with our secret, audience and issuer is
 * accepted (so `alg: none` and foreign tokens fail), and the user and session
 * are re-read from the database on every request: a revoked session or a
 * disabled user stops working at once, not when the token expires.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(JwtStrategyBase, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly auth: AuthService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwtSecret,
      algorithms: ['HS256'],
      audience: JWT_AUDIENCE,
      issuer: JWT_ISSUER,
      ignoreExpiration: false,
    });
  }

  async validate(payload: { sub?: unknown; sid?: unknown }): Promise<AuthUser> {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || !uuid.test(payload.sub) || !uuid.test(payload.sid)) throw unauthorized();
    const user = await this.auth.loadAuthUser(payload.sub, payload.sid);
    if (!user) throw unauthorized('The session has ended; log in again.');
    return user;
  }
}

/** E-mail + password, checked by AuthService (rate limits, constant-time answers). */
@Injectable()
export class LocalStrategy extends PassportStrategy(LocalStrategyBase, 'local') {
  constructor(private readonly auth: AuthService) {
    super({ usernameField: 'email', passwordField: 'password', passReqToCallback: true });
  }

  validate(request: FastifyRequest, email: string, password: string): Promise<User> {
    return this.auth.verifyLogin(email, password, request.ip);
  }
}

/** Guards run before pipes: validate the login body here so bad input is a 400, not a 401. */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const body: unknown = context.switchToHttp().getRequest<FastifyRequest>().body;
    const dto = plainToInstance(LoginDto, typeof body === 'object' && body !== null ? body : {});
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length) throw validationProblem(flattenValidationErrors(errors));
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser>(err: unknown, user: TUser): TUser {
    if (err instanceof Error) throw err; // keeps our 401/429 problem as thrown
    if (!user) throw unauthorized('Wrong e-mail or password.');
    return user;
  }
}
