"""Django's Redis cache, its client made once: Django makes a new redis-py client at each call (a
few hundred callbacks set up each time), which cost a signed-in request, whose session is read from
Redis, a third of that read. The client is thread-safe over its connection pool (redis-py's own)."""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _ClientKept(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients.setdefault(index, self._client(connection_pool=self._pools[index]))
        return client


class KeptClientRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache`, its clients made once per server."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ClientKept
