/** People, attendance, leave, recap and audit screens. */
export const id: Record<string, string> = {};

export const en: Record<string, string> = {};
