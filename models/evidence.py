"""Evidence files, stored by content hash under the data folder.

Content addressing makes storing idempotent: the same file added twice (or
by a retried command) is kept once, and a stored file whose bytes change
no longer matches the hash recorded in the history.
"""
import hashlib
import shutil
from pathlib import Path

from models.errors import ValidationError


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def store_file(data_dir: Path, source: Path) -> tuple[str, str]:
    """Copy `source` into the evidence store; return (sha256, path relative to data_dir)."""
    if not source.is_file():
        raise ValidationError(f"佐证材料文件 {source} 不存在")
    sha256 = sha256_of(source)
    relative = Path("evidence") / sha256[:2] / f"{sha256}{source.suffix.lower()}"
    target = data_dir / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".part")
        shutil.copyfile(source, partial)
        partial.replace(target)
    return sha256, relative.as_posix()
