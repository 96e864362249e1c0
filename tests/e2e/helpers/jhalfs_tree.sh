# Writes a small jhalfs-shaped tree under $1/jhalfs: lfs-commands/chapterNN/
# NNN-name scripts in jhalfs's style (bash, set -e), with SETUP, LUSER, SUDO
# and CHROOT phases, and the pages jhalfs leaves out by default. 502 fails
# half-installed until $1/../gcc-fixed exists.
jhalfs_script() {
  printf '#!/bin/bash\nset -e\n%s\n' "$3" > "$1/$2"
  chmod 755 "$1/$2"
}

make_jhalfs_tree() {
  local commands=$1/jhalfs/lfs-commands
  mkdir -p "$commands"/chapter04 "$commands"/chapter05 "$commands"/chapter07 \
    "$commands"/chapter08 "$commands"/chapter10
  jhalfs_script "$commands" chapter04/402-creatingminlayout \
    'mkdir -pv $LFS/{etc,var,tools} $LFS/usr/{bin,lib,sbin}'
  jhalfs_script "$commands" chapter04/403-addinguser 'groupadd lfs
useradd -s /bin/bash -g lfs -m -k /dev/null lfs
chown -v lfs $LFS/{usr{,/*},var,etc,tools}'
  jhalfs_script "$commands" chapter04/404-settingenvironment 'cat > ~/.bash_profile << "END_PROFILE"
exec env -i HOME=$HOME TERM=$TERM PS1="\u:\w\$ " /bin/bash
END_PROFILE
cat > ~/.bashrc << "END_BASHRC"
set +h
umask 022
LFS=/mnt/lfs
LFS_TGT=$(uname -m)-lfs-linux-gnu
PATH=/usr/bin:/bin
export LFS LFS_TGT PATH
END_BASHRC
source ~/.bash_profile'
  jhalfs_script "$commands" chapter05/501-binutils-pass1 \
    'echo "binutils pass 1 as $(id -un) into $LFS for $LFS_TGT, HOME=$HOME"
echo binutils > $LFS/tools/binutils'
  jhalfs_script "$commands" chapter05/502-gcc-pass1 'echo half > $LFS/tools/gcc-half-installed
[ -e $LFS/../gcc-fixed ] || { echo "gcc: internal compiler error: Segmentation fault" >&2; exit 1; }
rm $LFS/tools/gcc-half-installed
echo gcc > $LFS/tools/gcc'
  jhalfs_script "$commands" chapter07/701-changingowner 'chown -R root:root $LFS/{usr,var,etc,tools}'
  jhalfs_script "$commands" chapter07/702-kernfs 'mount -v --bind /dev $LFS/dev'
  jhalfs_script "$commands" chapter07/703-chroot 'chroot "$LFS" /usr/bin/env -i HOME=/root /bin/bash --login'
  jhalfs_script "$commands" chapter07/704-creatingdirs 'mkdir -p /boot /home /mnt
echo "creatingdirs: nothing to test" >> $TEST_LOG
echo "inside: HOME=$HOME PATH=$PATH"
while read -r source point type rest; do
  case "$point $type" in
    "/proc proc"|"/sys sysfs"|"/dev/pts devpts"|"/run tmpfs") echo "inside: $point is $type" ;;
  esac
done < /proc/mounts'
  jhalfs_script "$commands" chapter08/801-glibc 'echo glibc'
  jhalfs_script "$commands" chapter08/899-stripping 'strip --strip-unneeded /usr/lib/*.so'
  jhalfs_script "$commands" chapter10/1001-fstab 'echo "# fstab" > /etc/fstab'
  jhalfs_script "$commands" chapter10/1002-kernel 'make mrproper'
  jhalfs_script "$commands" chapter10/1003-grub 'grub-install /dev/sda'
}
