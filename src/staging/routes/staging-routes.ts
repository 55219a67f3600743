import { Hono } from 'hono'
import type { AppEnv } from '../../http/app-env.js'
import { historyRoutes } from './history-routes.js'
import { importRoutes } from './import-routes.js'
import { moduleRoutes } from './module-routes.js'
import { uploadRoutes } from './upload-routes.js'

/** The staging pages of every integration, under /integrations. History goes first: /:id/history is not a module. */
export const stagingRoutes = new Hono<AppEnv>().route('/', historyRoutes).route('/', moduleRoutes).route('/', uploadRoutes).route('/', importRoutes)
