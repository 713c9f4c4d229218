/**
 * On-disk formats of the image store (DESIGN.md §2). Layer ids are the hex of the OCI chain id
 * (no `sha256:` prefix: they are directory names and must fit in overlay mount options); image
 * ids are the hex of the config digest, as in Podman.
 */

/** A compressed blob that unpacked to a layer (several registries may compress it differently). */
export interface CompressedDigest {
  digest: string;
  size: number;
  mediaType: string;
}

/** `layers/<chainid>/layer.json`. */
export interface LayerInfo {
  /** `sha256:<hex>` of the uncompressed tar stream. */
  diffID: string;
  /** Layer id: hex of the OCI chain id, also the directory name. */
  chainID: string;
  /** The layer below, or null for a base layer. */
  parent: string | null;
  /** Bytes of the unpacked layer (what image sizes add up). */
  size: number;
  /** RFC 3339 time of the commit. */
  created: string;
  /** Compressed blobs seen for this layer: push can skip those the registry already has. */
  compressed: CompressedDigest[];
  /** Name of the short link `l/<link>` -> `../layers/<chainid>/diff`. */
  link: string;
  /**
   * Pid of the process that committed the layer. While it lives (a pull between its layer
   * commits and its image record) an unreferenced layer is not garbage.
   */
  committedBy?: number;
}

/** What a puller hands to `commitLayer`. */
export interface NewLayer {
  chainId: string;
  diffId: string;
  parent: string | null | undefined;
  size: number;
  compressed?: CompressedDigest[] | undefined;
}

/** One entry of `images.json`. */
export interface ImageRecord {
  /** Hex of the config digest. */
  id: string;
  /** Manifest digest (`sha256:<hex>`) the image was last stored from. */
  digest: string;
  /** Every manifest digest seen for this image (pulled from several places or media types). */
  digests?: string[];
  /** Full names, `docker.io/library/alpine:latest` or `repo@sha256:…`; [] = dangling. */
  names: string[];
  /** Names this image has had, most recent first (Podman's NamesHistory). */
  namesHistory?: string[];
  manifestMediaType: string;
  /** Chain id of the top layer; absent for an image without layers. */
  topLayer?: string | undefined;
  /** Chain ids, base layer first. */
  layers: string[];
  /** Creation time from the image config (RFC 3339). */
  created: string;
  /** Bytes: unpacked layers + manifest and config (Podman's SIZE). Filled in by putImage. */
  size?: number;
  /** When the image record was first written here (RFC 3339). */
  stored?: string;
  readOnly?: boolean;
  /**
   * Files of this image owned by ids beyond the user namespace (they got the overflow id 65534)
   * when it was pulled, and the highest such id: `system check` says how to widen the range.
   */
  unmappedIds?: { files: number; maxId: number };
}

/** The fields of `containers/<id>/container.json` the image store needs. */
export interface ContainerRef {
  id: string;
  name?: string;
  imageId: string;
  layers?: string[];
  command?: string[];
  created?: string;
  state?: { status?: string };
}

export interface RemoveImagesOptions {
  /** Remove even when used by containers (keeping the layers those containers need), and by id with several names. */
  force?: boolean;
  /** Remove every image (targets must be empty). */
  all?: boolean;
  /** Do not report unknown images as errors. */
  ignore?: boolean;
}

/** What removing one image did, in Podman's terms. */
export interface RemoveImageReport {
  id: string;
  /** The image itself is gone (not just untagged). */
  removed: boolean;
  untagged: string[];
  /** Bytes of the image (for prune's report). */
  size: number;
}

export type RemoveErrorKind = 'unknown' | 'in-use' | 'other';

export interface RemoveImagesResult {
  reports: RemoveImageReport[];
  errors: { kind: RemoveErrorKind; error: Error }[];
  /** Podman's rmi exit code: 0, 1 (some image did not exist), 2 (in use), 125 (other). */
  exitCode: number;
}

export interface PruneOptions {
  /** Every image not used by a container, not only dangling ones. */
  all?: boolean;
  /** Further condition (the compiled `--filter` values); images failing it are kept. */
  filter?: (img: ImageRecord) => boolean;
}

/** One line of `system df -v`'s image table (Podman's libimage ImageDiskUsage). */
export interface ImageDiskUsage {
  id: string;
  repository: string;
  tag: string;
  created: string;
  size: number;
  sharedSize: number;
  uniqueSize: number;
  containers: number;
}

export interface ContainerDiskUsage {
  id: string;
  imageId: string;
  command: string[];
  name: string;
  created: string;
  status: string;
  /** Bytes in the container's upper (writable) dir. */
  rwSize: number;
}

export interface DiskUsage {
  images: ImageDiskUsage[];
  /** Every layer once + image manifests and configs. */
  imagesSize: number;
  containers: ContainerDiskUsage[];
  volumes: { name: string; links: number; size: number; reclaimable: number }[];
}
