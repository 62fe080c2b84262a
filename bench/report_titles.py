"""Real-looking Vietnamese titles for the report benchmark, by category: most carry the words
a category rule looks for, as portals' titles do; news titles carry none."""

from __future__ import annotations

import random

SUBJECTS = (
    "chuyển đổi số", "cải cách hành chính", "phòng, chống dịch sốt xuất huyết",
    "xây dựng nông thôn mới", "phòng cháy, chữa cháy", "an toàn thực phẩm",
    "bảo vệ môi trường", "sắp xếp đơn vị hành chính cấp xã", "khuyến nông",
    "du lịch cộng đồng", "giảm nghèo bền vững", "phát triển kinh tế tập thể",
    "an toàn giao thông", "tiêm chủng mở rộng", "xóa nhà tạm, nhà dột nát",
)  # fmt: skip
FIELDS = ("đất đai", "hộ tịch", "xây dựng", "đầu tư", "giáo dục", "y tế", "lao động", "tư pháp",
          "nông nghiệp", "giao thông vận tải")  # fmt: skip
LAWS = ("Luật Đất đai năm 2024", "Luật Phòng, chống bạo lực gia đình", "Luật Cư trú",
        "Luật Giao thông đường bộ", "Luật Thực hiện dân chủ ở cơ sở", "Bộ luật Lao động")  # fmt: skip
NEWS = (
    "Hội nghị sơ kết {s} 6 tháng đầu năm", "Đoàn công tác của tỉnh làm việc về {s}",
    "Ra quân hưởng ứng {s} tại các thôn, tổ dân phố", "Trao quà cho hộ nghèo nhân dịp Tết",
    "Giải bóng đá thanh niên mở rộng lần thứ {n}", "Lễ khánh thành công trình nhà văn hóa thôn",
    "Tập huấn kỹ năng về {s} cho cán bộ cơ sở", "Tổng kết phong trào thi đua về {s}",
    "Hội thi văn nghệ quần chúng chào mừng ngày lễ lớn", "Ngày hội đại đoàn kết toàn dân tộc",
)  # fmt: skip
BY_CATEGORY = {
    "van-ban": (
        "Quyết định số {n}/QĐ-UBND về việc phê duyệt {s}",
        "Nghị quyết số {n}/NQ-HĐND về {s} năm 2026",
        "Chỉ thị số {m}/CT-UBND về tăng cường {s}",
        "Công văn số {n}/UBND-KT về việc triển khai {s}",
    ),
    "thu-tuc-hanh-chinh": (
        "Công bố danh mục thủ tục hành chính lĩnh vực {f}",
        "Hướng dẫn nộp hồ sơ trực tuyến trên Cổng dịch vụ công quốc gia lĩnh vực {f}",
        "Kết quả giải quyết thủ tục hành chính tháng {mo}",
    ),
    "pho-bien-phap-luat": (
        "Tuyên truyền, phổ biến {law} đến người dân",
        "Hội nghị phổ biến pháp luật về {f} cho cán bộ, công chức",
    ),
    "quy-hoach-ke-hoach": (
        "Kế hoạch thực hiện {s} năm 2026",
        "Công bố quy hoạch sử dụng đất thời kỳ 2021–2030",  # noqa: RUF001  (the en dash of Vietnamese typography)
        "Đề án phát triển {s} giai đoạn 2026–2030",  # noqa: RUF001  (the en dash of Vietnamese typography)
    ),
    "to-chuc": (
        "Kiện toàn Ban Chỉ đạo {s}",
        "Chức năng, nhiệm vụ và cơ cấu tổ chức của Ủy ban nhân dân",
    ),
    "tai-chinh-thong-ke": (
        "Công khai dự toán ngân sách năm 2026",
        "Công khai quyết toán ngân sách quý {q} năm 2026",
        "Số liệu thống kê tình hình kinh tế – xã hội tháng {mo}",  # noqa: RUF001  (the en dash of Vietnamese typography)
    ),
    "danh-muc-cong-khai": ("Danh mục thông tin phải được công khai năm 2026",),
    "dau-thau": (
        "Thông báo mời thầu gói thầu số {m}: xây lắp đường giao thông nông thôn",
        "Kết quả lựa chọn nhà thầu gói thầu tư vấn giám sát",
    ),
    "du-an-dau-tu": (
        "Quyết định chủ trương đầu tư dự án xây dựng trường mầm non",
        "Danh mục dự án kêu gọi đầu tư năm 2026",
    ),
    "mua-sam-cong": ("Thông báo mời báo giá mua sắm tài sản, trang thiết bị năm 2026",),
    "ho-tro-nguoi-dan-doanh-nghiep": (
        "Giải đáp kiến nghị của người dân về {f}",
        "Chính sách hỗ trợ doanh nghiệp nhỏ và vừa năm 2026",
    ),
}


def title_of(rng: random.Random, category: str, n: int) -> str:
    """A title of `category`; one in four of another category's items reads like news, so that
    only its link's path tells its category."""
    plain_news = category == "tin-tuc" or rng.random() < 0.25
    template = rng.choice(NEWS if plain_news else BY_CATEGORY[category])
    return template.format(
        s=rng.choice(SUBJECTS),
        f=rng.choice(FIELDS),
        law=rng.choice(LAWS),
        n=n % 9000 + 100,
        m=n % 90 + 1,
        mo=n % 12 + 1,
        q=n % 4 + 1,
    )


def summary_of(title: str, agency: str) -> str:
    return (
        f"{agency} thông tin: {title.lower()}. Các cơ quan, đơn vị, địa phương căn cứ chức "
        "năng, nhiệm vụ được giao tổ chức thực hiện nghiêm túc, hiệu quả và báo cáo kết quả "
        "về Ủy ban nhân dân trước ngày 15 hằng tháng."
    )
