# Sourced by the VM tests' shell scripts (from /tests/lib in the emulated
# host): the users and the group a real host has, and running as a user.

# hvx_users: root; hvxuser (1000), in group hvx (900) as `make install`'s
# users are; other (1001), not in it.  /dev/hvx is mode 0660, group hvx,
# as dist/udev/60-hvx.rules sets it.
hvx_users() {
	mkdir -p /etc
	grep -q '^hvxuser:' /etc/passwd 2>/dev/null || {
		echo 'root:x:0:0::/root:/bin/sh' >>/etc/passwd
		echo 'hvxuser:x:1000:1000::/tmp:/bin/sh' >>/etc/passwd
		echo 'other:x:1001:1001::/tmp:/bin/sh' >>/etc/passwd
		echo 'root:x:0:' >>/etc/group
		echo 'hvx:x:900:hvxuser' >>/etc/group
		echo 'hvxuser:x:1000:' >>/etc/group
		echo 'other:x:1001:' >>/etc/group
	}
	chgrp 900 /dev/hvx && chmod 0660 /dev/hvx
	# hvx.ko charges only what it pins for the channel bus to
	# RLIMIT_MEMLOCK, never guest RAM: the default 8 MiB is room for it.
}

# as USER COMMAND: runs COMMAND as USER, without root's capabilities.
as() {
	su -s /bin/sh "$1" -c "$2"
}
