/** Product version, kept in step with package.json by a test. */
export const HADIR_VERSION = '0.1.0';
