// The manifest's step-up tool: tools.delete_note.requiredScopes, enforced by requireAuth.
import type { InferSchema, ToolMetadata } from 'xmcp';
import { z } from 'zod';

export const schema = { id: z.string() };
export const metadata: ToolMetadata = { name: 'delete_note', description: 'Delete a note (write:notes)' };

const notes = new Map([['1', 'Buy milk']]);

export default async function deleteNote({ id }: InferSchema<typeof schema>) {
  const text = notes.delete(id) ? `deleted ${id}` : 'no such note';
  return { content: [{ type: 'text' as const, text }] };
}
