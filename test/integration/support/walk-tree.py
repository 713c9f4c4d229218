#!/usr/bin/python3
"""Print a tree as JSON, one object per path: type, mode, uid, gid, sha256, link target,
security.capability, and the other paths each hard-linked file shares its inode with.

--owners-from-xattr: owners come from umoci's user.rootlesscontainers xattr (protobuf
Resource{uid=1, gid=2}), and files without it belong to the image's root (0:0): the layout of
`umoci unpack --rootless`. Otherwise the owners are the ones stat reports (run it inside the
user namespace, where they are the image's ids)."""
import hashlib, json, os, stat, sys

def varints(buf):
    out, i = {}, 0
    while i < len(buf):
        key, shift = 0, 0
        while True:
            b = buf[i]; i += 1; key |= (b & 0x7F) << shift; shift += 7
            if b < 0x80: break
        val, shift = 0, 0
        while True:
            b = buf[i]; i += 1; val |= (b & 0x7F) << shift; shift += 7
            if b < 0x80: break
        out[key >> 3] = val
    return out

def main():
    args = sys.argv[1:]
    from_xattr = '--owners-from-xattr' in args
    root = [a for a in args if not a.startswith('--')][0]
    entries, inodes = {}, {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [''] + dirnames + filenames if dirpath == root else dirnames + filenames:
            p = os.path.join(dirpath, name) if name else dirpath
            rel = '/' + os.path.relpath(p, root) if p != root else '/'
            st = os.lstat(p)
            t = stat.S_IFMT(st.st_mode)
            kind = {stat.S_IFREG: 'file', stat.S_IFDIR: 'dir', stat.S_IFLNK: 'symlink', stat.S_IFIFO: 'fifo', stat.S_IFCHR: 'char', stat.S_IFBLK: 'block', stat.S_IFSOCK: 'socket'}[t]
            uid, gid = st.st_uid, st.st_gid
            if from_xattr:
                uid, gid = 0, 0
                try:
                    r = varints(os.getxattr(p, 'user.rootlesscontainers', follow_symlinks=False))
                    uid = r.get(1, 0) if r.get(1, 0) != 0xFFFFFFFF else 0
                    gid = r.get(2, 0) if r.get(2, 0) != 0xFFFFFFFF else 0
                except OSError:
                    pass
            e = {'type': kind, 'mode': oct(stat.S_IMODE(st.st_mode)) if kind != 'symlink' else None, 'uid': uid, 'gid': gid}
            if kind == 'file':
                h = hashlib.sha256()
                with open(p, 'rb') as f:
                    for chunk in iter(lambda: f.read(1 << 20), b''):
                        h.update(chunk)
                e['sha256'] = h.hexdigest()
                try:
                    e['capability'] = os.getxattr(p, 'security.capability', follow_symlinks=False).hex()
                except OSError:
                    pass
                if st.st_nlink > 1:
                    inodes.setdefault((st.st_dev, st.st_ino), []).append(rel)
            if kind == 'symlink':
                e['target'] = os.readlink(p)
            entries[rel] = e
    for group in inodes.values():
        for p in group:
            entries[p]['hardlinks'] = sorted(group)
    json.dump(entries, sys.stdout, sort_keys=True, indent=0)

main()
