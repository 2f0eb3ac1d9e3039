import type { IdentifyBody } from '../../../shared/http-api';
import type { RouteDef } from '../context';
import { timingsMs } from '../context';
import { HadirError } from '../../../shared/errors';
import { ACCESS_ERRORS, errors } from '../store-routes';
import { identifyBodySchema } from '../store-schemas';
import { analyzeImageField, detectFace, identityFor, imageMultipart, siteQueryProperty } from './analysis';

const IDENTIFY_ERRORS = [...ACCESS_ERRORS, 404, 413, 415];

export const identifyRoutes: RouteDef[] = [
  {
    method: 'POST',
    url: '/api/v1/identify',
    operationId: 'identify',
    summary: 'Who is in the photo',
    description:
      'Every face with its box, landmarks, liveness and identity against the enrolled gallery (`match` names the ' +
      'person; `unknown` and `ambiguous` name nobody). A person is given to at most one face. Records nothing.\n\n' +
      '`curl -H "Authorization: Bearer $KEY" -F "image=@photo.jpg" http://localhost:5010/api/v1/identify`',
    tags: ['people'],
    access: 'read',
    engineBound: true,
    schema: {
      querystring: { type: 'object', properties: { site: siteQueryProperty }, additionalProperties: false },
      response: { 200: identifyBodySchema, ...errors(IDENTIFY_ERRORS) },
    },
    multipart: imageMultipart('The photo or camera frame.'),
    errors: IDENTIFY_ERRORS,
    handler: async (ctx, req): Promise<IdentifyBody> => {
      // Before the upload is read: no gallery (a bare engine) or one still loading answers at once.
      const identity = await identityFor(ctx, req);
      if (!identity) {
        throw new HadirError('SHUT_DOWN', 'this server runs without a gallery: nobody can be identified');
      }
      identity.gallerySize();
      const a = await analyzeImageField(ctx, req, { embed: true, liveness: true });
      const ids = a.faces.length > 0 ? identity.identifyFaces(a.faces.map((f) => f.embedding)) : [];
      return {
        width: a.width,
        height: a.height,
        faces: a.faces.map((f, i) => ({ ...detectFace(f), liveness: f.liveness ?? null, identity: ids[i] })),
        liveness_available: a.livenessAvailable ?? ctx.deps.engine.status().livenessAvailable,
        timings_ms: timingsMs([a], req.startedAt),
      };
    },
  },
];
