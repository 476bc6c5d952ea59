import { nanoid } from 'nanoid';

/**
 * The one id generator of the orchestrator: Kestra-like ids of 22
 * characters, base62-like (executions, task runs, child executions).
 *
 * @example
 * newId(); // "4pQx0rZ1xYbCxZ8tJ3mNqa"
 */
export const newId = (): string => nanoid(22).replace(/[-_]/g, 'x');
