/**
 * `fusio diff`: what changed in the API between two versions of a manifest, for reviewers and CI.
 * In: two Models (diffModels) or two manifest versions (compareManifests: files, git revisions or
 * the working tree). Out: ApiChange records with stable codes and a breaking flag, and per generated
 * file the lines added and removed. Nothing here writes files.
 */
export { CHANGES, type ApiChange, type ChangeCode } from './changes.js'
export { compareManifests, type CompareOptions, type ManifestComparison, type SideReport } from './compare.js'
export { diffGenerated, type GeneratedChange, type GeneratedSide } from './generated.js'
export { diffModels } from './models.js'
export { renderComparison } from './render.js'
