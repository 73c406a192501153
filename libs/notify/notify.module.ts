import { type DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig, type Logger } from '../core';
import { Mailer } from './mailer';

/** Provides Mailer (built from APP_CONFIG); the app passes its logger in explicitly. */
@Module({})
export class NotifyModule {
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: NotifyModule,
      // One mail transport (and SMTP pool) for every feature module of the app.
      global: true,
      providers: [
        {
          provide: Mailer,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => new Mailer(config, logger.child({ module: 'notify' })),
        },
      ],
      exports: [Mailer],
    };
  }
}
