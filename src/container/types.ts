/** What tsc-ctr records about a container (containers/<id>/container.json). */
export type ContainerStatus = 'configured' | 'created' | 'running' | 'stopping' | 'exited' | 'removing';

export interface ContainerRecord {
  id: string;
  name: string;
  imageId: string;
  /** The name the user gave for the image (shown by `ps`). */
  imageName: string;
  created: string;
  /** The process args after entrypoint/cmd rules: what `ps` shows as COMMAND. */
  command: string[];
  /** The create options as parsed from the CLI: regenerated into a spec at each start. */
  createOptions: Record<string, unknown>;
  /** Image layers (chain ids), lowest first: the rootfs lowerdirs. */
  layers: string[];
  runtime: string;
  labels: Record<string, string>;
  autoRemove: boolean;
  tty: boolean;
  stdin: boolean;
  stopSignal: number;
  stopTimeout: number;
  /** `--restart`; absent = no. */
  restartPolicy?: import('./restart-policy.js').RestartPolicy;
  /** The command line that created it (our binary first), for `generate systemd --new`. */
  createCommand?: string[];
  /** `--cidfile`, absolute: removed with the container, as Podman does. */
  cidFile?: string;
  /** `--sdnotify`; absent = container (Podman's default). */
  sdNotifyMode?: import('./sdnotify.js').SdNotifyMode;
  state: ContainerStateRecord;
}

/** Mutable state; `running` is confirmed or corrected from the exit file and conmon's pid. */
export interface ContainerStateRecord {
  status: ContainerStatus;
  pid?: number;
  conmonPid?: number;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  error?: string;
  restartCount?: number;
  mounted?: boolean;
  /** Set by stop/kill: restart policies leave such a container alone. */
  stoppedByUser?: boolean;
  /** pid of the process restarting the container (restart policy); cleanup leaves it alone. */
  restartingBy?: number;
  /** startedAt of the run whose exit a restart already handled. */
  restartedRun?: string;
}
