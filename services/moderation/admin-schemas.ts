// Shapes of the admin domain-block API: validate requests and generate its OpenAPI paths.
import { z } from 'zod';

export const DomainBlockBodySchema = z
  .strictObject({
    comment: z.string().max(1000).optional().meta({ description: "the operator's note on why (never sent to the domain)" }),
  })
  .meta({ description: 'PUT body (optional)' });

export const DomainBlockSchema = z
  .looseObject({
    domain: z.string().meta({ description: 'lower-case host name, optionally with a port; its subdomains are blocked too' }),
    createdAt: z.string(),
    comment: z.string().optional(),
  })
  .meta({ description: 'A blocked domain: nothing is accepted from it, delivered or fetched there; its followers were dropped.' });

export const DomainBlockListSchema = z.object({ items: z.array(DomainBlockSchema) });
