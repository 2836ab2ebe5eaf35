"""Django's Redis cache with one Redis client per connection pool, made once.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every command. Building one
fills its table of response callbacks (hundreds of entries): ~0.25 ms, more than the command's
own round trip to a local Redis, and an authenticated list request sends three (the company by
host, the user, the list's count). A `redis.Redis` is safe to share between threads (it takes a
connection from its pool for each command) and after a fork (the pool notices the new process
and opens its own connections), so one per pool is kept."""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
