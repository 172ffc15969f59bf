import { z } from 'zod';

// Atlassian Statuspage v2 public JSON (https://<page>/api/v2/...). Read loosely: only the fields used here are
// required, and the page may add fields at any time. The fake in ../testing/fake-statuspage.ts serves every field.
const timestamp = z.string().nullable().optional();

export const statusComponent = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  group_id: z.string().nullable().optional(),
  group: z.boolean().optional(),
});

const incidentLike = {
  id: z.string(),
  name: z.string(),
  status: z.string(),
  impact: z.string(),
  created_at: z.string(),
  started_at: timestamp,
  resolved_at: timestamp,
  shortlink: z.string().nullable().optional(),
  components: z.array(statusComponent).default([]),
};

export const unresolvedIncidents = z.object({
  incidents: z.array(z.object(incidentLike)),
});

export const activeMaintenances = z.object({
  scheduled_maintenances: z.array(
    z.object({ ...incidentLike, scheduled_for: timestamp, scheduled_until: timestamp }),
  ),
});

export const componentList = z.object({ components: z.array(statusComponent) });

export type StatusComponent = z.infer<typeof statusComponent>;
