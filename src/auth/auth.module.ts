import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';

import { AUTHENTICATOR } from '../access/authenticator';
import { ApiTokensModule } from '../api-tokens/api-tokens.module';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { UsersModule } from '../users/users.module';
import { AccountTokensRepository } from './account-tokens.repository';
import { AccountTokensService } from './account-tokens.service';
import { AccountsService } from './accounts.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { SessionsRepository } from './sessions.repository';
import { LocalAuthGuard, PassportAuthenticator } from './strategies';
import { TokensService } from './tokens.service';

@Global()
@Module({
  imports: [
    UsersModule,
    ApiTokensModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ secret: config.jwtSecret, signOptions: { algorithm: 'HS256' } }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    TokensService,
    AccountTokensService,
    AccountsService,
    AccountTokensRepository,
    SessionsRepository,
    PassportAuthenticator,
    LocalAuthGuard,
    { provide: AUTHENTICATOR, useExisting: PassportAuthenticator },
  ],
  exports: [AuthService, TokensService, AccountTokensService, AccountsService, AUTHENTICATOR],
})
export class AuthModule {}
