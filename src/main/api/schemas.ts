/**
 * JSON Schemas of the API's bodies: fastify validates requests and serialises answers with them, and
 * the OpenAPI document is built from them, so the three never drift apart. The TypeScript view of the
 * same shapes is src/shared/http-api.ts.
 */

export type Schema = Record<string, unknown>;

export const num = (description?: string): Schema => ({ type: 'number', ...(description ? { description } : {}) });
export const int = (description?: string): Schema => ({ type: 'integer', ...(description ? { description } : {}) });
export const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
export const bool = (description?: string): Schema => ({ type: 'boolean', ...(description ? { description } : {}) });
export const nullable = (s: Schema): Schema => ({ ...s, type: [s.type as string, 'null'] });
export const obj = (
  properties: Record<string, Schema>,
  required = Object.keys(properties),
  description?: string,
): Schema => ({
  type: 'object',
  ...(description ? { description } : {}),
  properties,
  required,
  additionalProperties: false,
});
export const arr = (items: Schema, extra: Schema = {}): Schema => ({ type: 'array', items, ...extra });

export const errorInfoSchema = obj(
  {
    code: str('Stable error code (see the error table in the description).'),
    message: str('What went wrong, for a person (English).'),
    reason: str(
      'For a refusal a person can fix, a stable machine-readable reason (`pin_too_short`, `schedule_windows_overlap`…) to translate.',
    ),
    params: {
      type: 'object',
      additionalProperties: { type: ['string', 'number'] },
      description: 'The values the reason’s sentence needs (`{"min": 6}`, `{"day": "mon"}`).',
    },
  },
  ['code', 'message'],
);

export const errorBodySchema = obj(
  {
    error: errorInfoSchema,
    request_id: str('This request’s id in the server’s log: quote it when reporting a problem.'),
  },
  ['error'],
  'Every non-2xx answer of /api/v1.',
);

export const bboxSchema = arr(num(), {
  minItems: 4,
  maxItems: 4,
  description: '[x1, y1, x2, y2], pixels of the EXIF-rotated image.',
});
const pointSchema = arr(num(), { minItems: 2, maxItems: 2 });
export const landmarksSchema = arr(pointSchema, {
  minItems: 5,
  maxItems: 5,
  description: '[[x, y] ×5]: left eye, right eye, nose, left mouth corner, right mouth corner.',
});

export const timingsSchema = obj(
  {
    decode: num(),
    detect: num(),
    align: num(),
    embed: num(),
    liveness: num(),
    total: num('The whole request inside the server, including waiting for a worker.'),
  },
  undefined,
  'Milliseconds per stage (0.01 ms resolution); for two images, the sums.',
);

export const livenessResultSchema = obj(
  {
    p_real: num('Probability that the face is a live person (mean of the liveness models).'),
    decision: { type: 'string', enum: ['real', 'spoof'] },
  },
  undefined,
  'Passive liveness of the face.',
);

export const identitySchema = obj(
  {
    person_id: nullable(int()),
    employee_number: nullable(str()),
    name: nullable(str()),
    score: num('Cosine similarity to the best person.'),
    second_score: num('Cosine similarity to the best other person.'),
    decision: { type: 'string', enum: ['match', 'unknown', 'ambiguous'] },
  },
  undefined,
  'Who the face is. Only `match` names a person.',
);

const detectFaceProps = {
  bbox: bboxSchema,
  score: num('Detector confidence.'),
  landmarks: landmarksSchema,
};

export const detectBodySchema = obj({
  width: int('Image width after EXIF rotation.'),
  height: int(),
  faces: arr(obj(detectFaceProps), { description: 'Ordered by detector score.' }),
  timings_ms: timingsSchema,
});

export const recognitionBodySchema = obj({
  width: int(),
  height: int(),
  faces: arr(
    obj({
      ...detectFaceProps,
      embedding: arr(num(), { description: 'L2-normalised embedding of the aligned face.' }),
      liveness: { ...livenessResultSchema, type: ['object', 'null'] },
      identity: { ...identitySchema, type: ['object', 'null'] },
    }),
  ),
  liveness_available: bool('Whether the model pack can judge liveness; when false every `liveness` is null.'),
  identification: {
    type: 'string',
    enum: ['done', 'key_required', 'empty_gallery', 'unavailable'],
    description:
      '`done`: every face has an `identity`; `key_required`: identities are named only for an API key with the ' +
      '`read` scope; `empty_gallery`: nobody is enrolled; `unavailable`: this server has no gallery.',
  },
  timings_ms: timingsSchema,
});

export const livenessBodySchema = obj({
  width: int(),
  height: int(),
  faces: arr(obj({ bbox: bboxSchema, p_real: num(), decision: { type: 'string', enum: ['real', 'spoof'] } })),
  threshold: num('p_real at or above which a face is judged real.'),
  timings_ms: timingsSchema,
});

const verdictSchema = {
  type: 'string',
  enum: ['same', 'different', 'uncalibrated'],
  description: "The pack's verdict at its calibrated match threshold (`uncalibrated`: the pack has none).",
};

export const imageQualitySchema = obj({
  field: str('The multipart field the image came in.'),
  width: int(),
  height: int(),
  face_found: bool(),
  face_count: int(),
  face: {
    ...obj({
      bbox: bboxSchema,
      score: num(),
      inter_ocular: num('Distance between the eye centres, pixels.'),
      box_width: num(),
      box_height: num(),
      blur: num(
        'Focus measure of the aligned 112×112 crop (variance of the Laplacian): higher is sharper; enrollment asks for 60.',
      ),
      brightness: num('Mean grey level of the aligned crop, 0–255.'),
      pose: {
        ...obj({ yaw: num('Degrees, positive when the nose points to image +x.'), roll: num('Degrees.') }),
        type: ['object', 'null'],
      },
    }),
    type: ['object', 'null'],
    description: 'The main face (largest box).',
  },
});

export const compareImagesBodySchema = obj({
  similarity: num('Cosine similarity of the main faces (largest box) of the two images.'),
  threshold: nullable(num()),
  match: bool('similarity ≥ threshold (false when the pack has no threshold).'),
  verdict: verdictSchema,
  images: arr(imageQualitySchema, { minItems: 2, maxItems: 2 }),
  timings_ms: timingsSchema,
});

export const compareEmbeddingsBodySchema = obj(
  {
    similarity: num('Cosine similarity of the two vectors (normalised first).'),
    threshold: nullable(num()),
    match: bool(),
    verdict: verdictSchema,
    error: errorInfoSchema,
  },
  ['similarity', 'threshold', 'match', 'verdict'],
);

/** Both compare answers: images (multipart) and embeddings (JSON). */
export const compareBodySchema: Schema = {
  type: 'object',
  description:
    'Multipart images: similarity, threshold, match, verdict, images, timings_ms. JSON embeddings: similarity, threshold, match, verdict.',
  properties: {
    ...(compareImagesBodySchema.properties as Record<string, Schema>),
    error: errorInfoSchema,
  },
  required: ['similarity', 'threshold', 'match', 'verdict'],
  additionalProperties: false,
};

export const MAX_EMBEDDING_VALUES = 4096;

export const compareJsonRequestSchema = obj({
  embedding1: arr(num(), { minItems: 1, maxItems: MAX_EMBEDDING_VALUES }),
  embedding2: arr(num(), { minItems: 1, maxItems: MAX_EMBEDDING_VALUES }),
});

/** A joined kiosk's hub link (src/shared/hub-status.ts). */
export const hubStatusSchema = obj(
  {
    joined: { type: 'boolean', enum: [true] },
    hub_url: str(),
    site: obj({ code: str(), name: str() }),
    device_id: str(),
    state: {
      type: 'string',
      enum: ['syncing', 'online', 'offline', 'revoked'],
      description:
        '`syncing`: the site snapshot is still coming in; `online`: caught up; `offline`: the hub has not answered ' +
        'since `offline_since` (attendance is recorded and waits in the outbox); `revoked`: the hub revoked this device.',
    },
    last_contact_at: nullable(str()),
    offline_since: nullable(str()),
    outbox_depth: int('Attendance events not yet acknowledged by the hub.'),
    outbox_full: bool('Over the soft limit: nothing is dropped, but the screen says so.'),
    uploads_pending: int('Enrollments made here since the join that the hub has not taken yet.'),
    uploads_refused: int('Enrollments the hub refused: those people stay local to this kiosk.'),
    last_upload_refusal: { ...obj({ reason: str(), at: str() }), type: ['object', 'null'] },
    snapshot_progress: { ...obj({ done: int(), total: int() }), type: ['object', 'null'] },
    last_error: nullable(str()),
  },
  undefined,
  'The kiosk’s link to its hub (`hadir join`).',
);

export const healthBodySchema = obj({
  status: {
    type: 'string',
    enum: ['ok', 'warming', 'unavailable'],
    description: '`warming`: the engine is ready but the gallery is still loading (a hub at start).',
  },
  version: str(),
  ready: bool('Whether the inference engine is loaded and warm.'),
  model_pack: obj({
    id: str(),
    name: str(),
    embedding_size: int(),
    match_threshold: nullable(num()),
    strict_threshold: nullable(num()),
  }),
  provider: {
    ...obj({
      requested: str('The setting: auto, cuda, webgpu, dml or cpu.'),
      active: str('cpu, cuda, webgpu or dml'),
      fallback_reason: nullable(str('On auto, why each GPU provider ahead of the active one was skipped or failed.')),
    }),
    type: ['object', 'null'],
  },
  device: str(),
  batch_faces: nullable(
    obj(
      {
        setting: { type: 'string', enum: ['auto', 'on', 'off'] },
        on: bool('Whether the faces of requests waiting together share recognizer runs.'),
      },
      undefined,
      'Cross-request batching of the recognizer (HADIR_BATCH_FACES; `auto`: on a GPU provider).',
    ),
  ),
  workers: obj({ total: int(), live: int(), busy: int() }),
  queue_depth: int('Requests waiting for a worker.'),
  max_queue: int('Beyond this many waiting requests the server answers 503 BUSY.'),
  gallery_size: int('Enrolled templates (0 without a gallery).'),
  gallery_warming: nullable(
    obj(
      {
        loaded_templates: int(),
        expected_templates: int('Templates in the store when the load began.'),
        elapsed_ms: num(),
      },
      undefined,
      'While the gallery loads (identification answers 503 WARMING with Retry-After); null once ready.',
    ),
  ),
  liveness_available: bool(),
  liveness_threshold: num(),
  warnings: arr(str()),
  tls: obj({
    enabled: bool('Whether this listener speaks HTTPS.'),
    fingerprint_sha256: nullable(str('SHA-256 of the certificate (DER), "AB:CD:…", for pinning; null without TLS.')),
  }),
  hub: { ...hubStatusSchema, type: ['object', 'null'], description: 'The hub link; null for a standalone kiosk.' },
  identification: nullable(
    obj({
      threshold: num('The match threshold in force.'),
      source: { type: 'string', enum: ['manual', 'settings', 'gallery', 'pack'] },
      margin: num(),
      gallery_people: int('People searched (G): the threshold follows it.'),
      target_fpir: nullable(num('Target false-positive identification rate per stranger’s attempt.')),
      expected_fnir: nullable(num('Expected false non-identification rate at the threshold.')),
    }),
  ),
});

// --- The old Flask services' routes (served with the legacy setting) ---

const legacyBbox = arr(int(), { minItems: 4, maxItems: 4, description: '[x1, y1, x2, y2], integers.' });

export const legacyHealthBodySchema = obj(
  {
    message: str(),
    version: str(),
    status: str('"running".'),
    ready: bool(),
    models: obj({
      pack: str(),
      detector: str(),
      recognizer: str(),
      liveness: arr(str()),
      provider: str(),
    }),
    error: errorInfoSchema,
  },
  ['message', 'version', 'status', 'ready', 'models'],
);

export const legacyVerifyBodySchema = obj(
  {
    reference: obj(
      {
        face_detected: bool(),
        bbox: { ...legacyBbox, type: ['array', 'null'] },
        face_size: int('max(box width, box height).'),
        embedding_dim: int(),
        image_shape: {
          ...arr(int(), { minItems: 2, maxItems: 2 }),
          type: ['array', 'null'],
          description: '[height, width]',
        },
        filename: str(),
      },
      ['face_detected', 'bbox', 'face_size', 'embedding_dim', 'image_shape'],
    ),
    probe_results: arr(
      obj(
        {
          filename: str(),
          face_detected: bool(),
          bbox: { ...legacyBbox, type: ['array', 'null'] },
          face_size: int(),
          similarity: nullable(num('4 decimals.')),
          confidence: { type: 'string', enum: ['High', 'Medium', 'Low'] },
          match: bool(),
          error: errorInfoSchema,
        },
        ['filename', 'face_detected', 'bbox', 'face_size', 'similarity', 'confidence', 'match'],
      ),
    ),
    overall_result: obj({
      status: { type: 'string', enum: ['match', 'no_match'] },
      average_similarity: num(),
      all_passed: bool(),
      total_probes: int(),
      matched_probes: int(),
    }),
    performance: obj({ total_processing_time_ms: num(), gpu_accelerated: bool() }),
    error: errorInfoSchema,
  },
  ['reference', 'probe_results', 'overall_result', 'performance'],
);

export const legacyEmbeddingBodySchema = obj(
  {
    face_detected: bool(),
    bbox: { ...legacyBbox, type: ['array', 'null'] },
    face_size: int(),
    embedding: { ...arr(num()), type: ['array', 'null'] },
    embedding_dim: int(),
    error: errorInfoSchema,
  },
  ['face_detected', 'bbox', 'face_size', 'embedding', 'embedding_dim'],
);

export const legacyAntispoofBodySchema = obj(
  {
    prediction: { type: 'string', enum: ['real', 'fake'] },
    confidence: num(),
    prob_real: num(),
    prob_fake: num(),
    threshold_used: num(),
    error: errorInfoSchema,
  },
  ['prediction', 'confidence', 'prob_real', 'prob_fake', 'threshold_used'],
);

export const legacyVerifyUploadsRequestSchema = {
  type: 'object',
  properties: { reference: str(), probe1: str(), probe2: str() },
  description: 'Plain file names inside the uploads folder.',
};

export const legacyUploadsRequestSchema = {
  type: 'object',
  properties: { filename: str('A plain file name inside the uploads folder.') },
};
