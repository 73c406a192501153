import { type DynamicModule, Global, Module } from '@nestjs/common';
import { DOMAIN_EVENT_SINK, type DomainEventSink } from './events';

/** Makes the app's domain-event sink injectable everywhere. */
@Global()
@Module({})
export class EventsModule {
  static forRoot(sink: DomainEventSink): DynamicModule {
    return { module: EventsModule, providers: [{ provide: DOMAIN_EVENT_SINK, useValue: sink }], exports: [DOMAIN_EVENT_SINK] };
  }
}
