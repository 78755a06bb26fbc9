from bot.web.ratelimit import RateLimiter


def test_limit_per_key_and_window() -> None:
    now = [0.0]
    limiter = RateLimiter(3, 60.0, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b"), "other clients are not affected"
    now[0] = 59.0
    assert not limiter.allow("a")
    now[0] = 60.5
    assert limiter.allow("a"), "the window slides"


def test_memory_is_bounded() -> None:
    now = [0.0]
    limiter = RateLimiter(1, 1.0, clock=lambda: now[0], max_keys=100)
    for i in range(1000):
        now[0] = i * 0.001
        limiter.allow(f"k{i}")
    assert len(limiter._hits) <= 100
