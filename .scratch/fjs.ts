import 'reflect-metadata';
import fjs from 'fast-json-stringify';
import { pageResponseSchema } from '../src/common/response-schema';
import { EventSummary } from '../src/events/event-views';
const schema = pageResponseSchema(EventSummary);
const item = (i: number) => ({ id: 'd53b3996-ba4c-4c20-b7cd-8cb5cbf5de55', title: 'Asamblea ' + i, kind: 'rally', status: 'published', visibility: 'public', startsAt: new Date(), endsAt: new Date(), timezone: 'America/Lima', hostOrganisationId: 'd53b3996-ba4c-4c20-b7cd-8cb5cbf5de55', coalitionId: null, campaignId: null, venue: 'Local ' + i, address: null, locality: 'Distrito 3', region: 'Cusco', country: 'PE', lat: null, lng: null, onlineUrl: null, addressVisibility: 'public', locationHidden: false, capacity: null, goingCount: 0 });
const page = { items: Array.from({ length: 20 }, (_, i) => item(i)), nextCursor: 'abcdefabcdef' };
const variants: Record<string, (x: unknown) => string> = { json: JSON.stringify, fjs: fjs(schema as never) };
for (let r = 0; r < 3; r++) for (const [k, f] of Object.entries(variants)) { const t = performance.now(); for (let i = 0; i < 20000; i++) f(page); console.log(k, ((performance.now() - t) / 20000 * 1000).toFixed(1), 'µs'); }
